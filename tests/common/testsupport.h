#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace TestSupport {

// Folder of the repository and of ../shared, as the build saw them.
QString sourceDir();
QString sharedDir();
QString readFile(const QString &path);

// An ARM template with one HTTP listener (frontend port 80 mapped to an ephemeral local port),
// one pool whose addresses 10.0.0.N map to the given local ports, one backend setting "setting"
// (extra JSON properties may be appended), one Basic rule "rule" on listener "listener".
QByteArray gatewayTemplate(const QList<quint16> &backendPorts, int requestTimeout = 20,
                           const QString &settingExtra = {}, const QString &listenerExtra = {});

} // namespace TestSupport
