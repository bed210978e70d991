#include "statswidget.h"

#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QLineSeries>
#include <QTimer>
#include <QValueAxis>

#include <cmath>

namespace Gateway::Ui {

StatsWidget::StatsWidget(QWidget *parent) : QWidget(parent), m_timer(new QTimer(this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_rpsChart = makeChart(tr("Requests / s"), QColor(0x2b, 0x6c, 0xb0));
    m_openChart = makeChart(tr("Open sessions"), QColor(0x2e, 0x9e, 0x4f));
    m_bytesChart = makeChart(tr("KiB / s"), QColor(0x7b, 0x4d, 0xb8));
    for (QChart *chart : {m_rpsChart.chart, m_openChart.chart, m_bytesChart.chart}) {
        auto *view = new QChartView(chart, this);
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumSize(180, 120);
        layout->addWidget(view);
    }
    m_timer->setInterval(1000);
    m_timer->setTimerType(Qt::CoarseTimer);
    connect(m_timer, &QTimer::timeout, this, &StatsWidget::sample);
    m_timer->start();
}

StatsWidget::Chart StatsWidget::makeChart(const QString &title, const QColor &color)
{
    Chart c;
    c.chart = new QChart;
    c.chart->setTitle(title);
    c.chart->legend()->hide();
    c.chart->setMargins(QMargins(2, 2, 2, 2));
    c.chart->setBackgroundRoundness(0);
    QFont f = c.chart->titleFont();
    f.setPointSizeF(f.pointSizeF() * 0.9);
    f.setBold(true);
    c.chart->setTitleFont(f);
    c.series = new QLineSeries;
    QPen pen(color, 2);
    c.series->setPen(pen);
    c.chart->addSeries(c.series);
    c.x = new QValueAxis;
    c.x->setRange(-m_window, 0);
    c.x->setLabelFormat(QStringLiteral("%d s"));
    c.x->setTickCount(4);
    c.y = new QValueAxis;
    c.y->setRange(0, 10);
    c.y->setLabelFormat(QStringLiteral("%.0f"));
    c.y->setTickCount(3);
    QFont lf = c.x->labelsFont();
    lf.setPointSizeF(lf.pointSizeF() * 0.8);
    c.x->setLabelsFont(lf);
    c.y->setLabelsFont(lf);
    c.chart->addAxis(c.x, Qt::AlignBottom);
    c.chart->addAxis(c.y, Qt::AlignLeft);
    c.series->attachAxis(c.x);
    c.series->attachAxis(c.y);
    return c;
}

void StatsWidget::plot(Chart &chart, const QList<double> &values)
{
    QList<QPointF> points;
    points.reserve(values.size());
    double max = 1;
    const int n = int(values.size());
    for (int i = 0; i < n; ++i) {
        points.append(QPointF(i - (n - 1), values.at(i)));
        max = std::max(max, values.at(i));
    }
    chart.series->replace(points);
    // round the axis up to 1, 2 or 5 times a power of ten
    const double target = max * 1.15;
    double top = 1;
    for (double mag = 1; top < target; mag *= 10) {
        for (double step : {1.0, 2.0, 5.0, 10.0}) {
            top = step * mag;
            if (top >= target)
                break;
        }
    }
    chart.y->setRange(0, std::ceil(top));
    chart.x->setRange(-m_window, 0);
}

void StatsWidget::sample()
{
    auto push = [this](QList<double> &list, double v) {
        list.append(v);
        if (list.size() > m_window + 1)
            list.remove(0, list.size() - (m_window + 1));
    };
    m_lastRps = double(m_requests);
    push(m_rps, double(m_requests));
    push(m_openSeries, double(m_open));
    push(m_bps, double(m_bytes) / 1024.0);
    m_requests = 0;
    m_bytes = 0;
    if (!isVisible())
        return; // keep sampling, skip drawing when hidden
    plot(m_rpsChart, m_rps);
    plot(m_openChart, m_openSeries);
    plot(m_bytesChart, m_bps);
}

} // namespace Gateway::Ui
