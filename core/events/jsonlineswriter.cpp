#include "events/jsonlineswriter.h"

#include <cstdio>

namespace Gateway::Events {

JsonLinesWriter::JsonLinesWriter(QObject *parent) : QObject(parent) {}

bool JsonLinesWriter::open(const QString &path, QString *errorString)
{
    const bool ok = path == QLatin1String("-")
                        ? m_file.open(stdout, QIODevice::WriteOnly | QIODevice::Unbuffered)
                        : (m_file.setFileName(path),
                           m_file.open(QIODevice::WriteOnly | QIODevice::Append));
    if (!ok && errorString)
        *errorString = m_file.errorString();
    return ok;
}

void JsonLinesWriter::write(const QList<GatewayEvent> &events)
{
    if (!m_file.isOpen())
        return;
    QByteArray chunk;
    for (const GatewayEvent &event : events)
        chunk += event.toJsonLine();
    m_file.write(chunk);
    m_file.flush();
}

} // namespace Gateway::Events
