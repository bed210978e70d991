#pragma once

// Writes events as JSON lines (one object per line) to a file or to standard output, flushing
// after each batch so `tail -f` and pipes see them at once.

#include "events/gatewayevent.h"

#include <QFile>
#include <QObject>

namespace Gateway::Events {

class JsonLinesWriter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JsonLinesWriter)
public:
    explicit JsonLinesWriter(QObject *parent = nullptr);
    // path "-" is standard output. Appends to an existing file.
    bool open(const QString &path, QString *errorString = nullptr);
    void write(const QList<GatewayEvent> &events);

private:
    QFile m_file;
};

} // namespace Gateway::Events
