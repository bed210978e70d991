// Writes the request cases of tests/common/requestcases as libFuzzer seeds:
// fuzz_seeds <directory>. Each seed is one control byte followed by the case's bytes.

#include "requestcases.h"

#include <QDir>
#include <QFile>

#include <cstdio>

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <corpus directory>\n", argv[0]);
        return 2;
    }
    const QString dir = QString::fromLocal8Bit(argv[1]);
    if (!QDir().mkpath(dir)) {
        std::fprintf(stderr, "cannot create %s\n", argv[1]);
        return 1;
    }
    int n = 0;
    for (const TestSupport::RequestCase &c : TestSupport::requestCases()) {
        if (c.bytes.size() > 4096) // keep seeds small; the fuzzer grows them
            continue;
        QFile f(dir + QStringLiteral("/case-%1").arg(n++, 3, 10, QLatin1Char('0')));
        if (!f.open(QIODevice::WriteOnly)) {
            std::fprintf(stderr, "cannot write seed\n");
            return 1;
        }
        f.write(QByteArray(1, char(n * 37)) + c.bytes);
    }
    std::printf("%d seeds written to %s\n", n, argv[1]);
    return 0;
}
