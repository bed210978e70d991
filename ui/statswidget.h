#pragma once

// Requests per second, open sessions and bytes per second over the last minutes (Qt Charts),
// sampled once per second from counters the main window feeds.

#include <QList>
#include <QWidget>

class QTimer;
class QLineSeries;
class QValueAxis;
class QChart;

namespace Gateway::Ui {

class StatsWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatsWidget)
public:
    explicit StatsWidget(QWidget *parent = nullptr);

    void addRequests(int count) { m_requests += count; }
    void addBytes(qint64 bytes) { m_bytes += bytes; }
    void setOpenSessions(int count) { m_open = count; }
    void setWindowSeconds(int seconds) { m_window = seconds; }

    double lastRequestsPerSecond() const { return m_lastRps; }
    int sampleCount() const { return int(m_rps.size()); }

public slots:
    void sample(); // called by the 1 s timer; public for tests

private:
    struct Chart
    {
        QChart *chart = nullptr;
        QLineSeries *series = nullptr;
        QValueAxis *x = nullptr;
        QValueAxis *y = nullptr;
    };
    Chart makeChart(const QString &title, const QColor &color);
    void plot(Chart &chart, const QList<double> &values);

    QTimer *m_timer;
    Chart m_rpsChart;
    Chart m_openChart;
    Chart m_bytesChart;
    QList<double> m_rps;
    QList<double> m_openSeries;
    QList<double> m_bps;
    qint64 m_requests = 0;
    qint64 m_bytes = 0;
    int m_open = 0;
    int m_window = 300;
    double m_lastRps = 0;
};

} // namespace Gateway::Ui
