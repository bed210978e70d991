#pragma once

#include <QByteArray>
#include <QString>

namespace TestSupport {

// Folder of the repository and of ../shared, as the build saw them.
QString sourceDir();
QString sharedDir();
QString readFile(const QString &path);

} // namespace TestSupport
