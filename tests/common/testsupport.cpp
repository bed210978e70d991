#include "testsupport.h"

#include <QFile>

namespace TestSupport {

QString sourceDir() { return QStringLiteral(APPGW_SOURCE_DIR_FOR_TESTS); }
QString sharedDir() { return QStringLiteral(APPGW_SHARED_DIR_FOR_TESTS); }

QString readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

} // namespace TestSupport
