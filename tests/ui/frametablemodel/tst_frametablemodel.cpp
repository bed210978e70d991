#include "framesortmodel.h"
#include "frametablemodel.h"
#include "uiformat.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Gateway::Ui;
using Gateway::Session::Direction;
using Gateway::Session::FrameRecord;

namespace {
FrameRecord frame(quint8 opcode, Direction d, const QByteArray &payload)
{
    FrameRecord f;
    f.opcode = opcode;
    f.direction = d;
    f.preview = payload;
    f.payloadLength = quint64(payload.size());
    f.masked = d == Direction::ClientToBackend;
    f.timeMs = 1'700'000'000'000;
    return f;
}
} // namespace

class tst_FrameTableModel : public QObject
{
    Q_OBJECT
private slots:
    void appendsInBatches();
    void boundedDropsOldest();
    void display_data();
    void display();
    void filters();
    void jsonPreviewKeepsKeyOrder();
};

void tst_FrameTableModel::appendsInBatches()
{
    FrameTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFrames(7, {frame(0x1, Direction::ClientToBackend, "hello")});
    QCOMPARE(model.rowCount(), 1);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.appendFrames(7, {frame(0x9, Direction::ClientToBackend, {}),
                           frame(0xA, Direction::BackendToClient, {})});
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 3);
    model.appendFrames(8, {frame(0x1, Direction::ClientToBackend, "other session")});
    QCOMPARE(model.rowCount(), 3);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void tst_FrameTableModel::boundedDropsOldest()
{
    FrameTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMaximumFrames(10);
    model.setFrames(1, {});
    for (int i = 0; i < 4; ++i) {
        QList<FrameRecord> batch;
        for (int j = 0; j < 4; ++j)
            batch.append(frame(0x1, Direction::BackendToClient, QByteArray::number(i * 4 + j)));
        model.appendFrames(1, batch);
    }
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(model.frame(0).preview, QByteArray("6"));
    QCOMPARE(model.frame(9).preview, QByteArray("15"));
}

void tst_FrameTableModel::display_data()
{
    QTest::addColumn<FrameRecord>("record");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("expected");
    FrameRecord close = frame(0x8, Direction::BackendToClient, {});
    close.closeCode = 1000;
    close.closeReason = QStringLiteral("bye");
    FrameRecord compressed = frame(0x1, Direction::ClientToBackend, QByteArray("\x01\x02", 2));
    compressed.rsv1 = true;
    QTest::newRow("text preview") << frame(0x1, Direction::ClientToBackend, "hi\nthere")
                                  << int(FrameTableModel::PreviewColumn)
                                  << QStringLiteral("hi↵there");
    QTest::newRow("binary as hex")
        << frame(0x2, Direction::BackendToClient, QByteArray("\xde\xad", 2))
        << int(FrameTableModel::PreviewColumn) << QStringLiteral("de ad");
    QTest::newRow("close code") << close << int(FrameTableModel::PreviewColumn)
                                << QStringLiteral("close 1000 “bye”");
    QTest::newRow("ping opcode") << frame(0x9, Direction::ClientToBackend, {})
                                 << int(FrameTableModel::OpcodeColumn) << QStringLiteral("ping");
    QTest::newRow("flags") << compressed << int(FrameTableModel::FlagsColumn)
                           << QStringLiteral("FIN · RSV1 compressed · masked");
    QTest::newRow("direction") << frame(0xA, Direction::BackendToClient, {})
                               << int(FrameTableModel::DirectionColumn)
                               << QStringLiteral("to client");
}

void tst_FrameTableModel::display()
{
    QFETCH(FrameRecord, record);
    QFETCH(int, column);
    QFETCH(QString, expected);
    FrameTableModel model;
    model.setFrames(1, {record});
    QCOMPARE(model.index(0, column).data().toString(), expected);
}

void tst_FrameTableModel::filters()
{
    FrameTableModel model;
    FrameSortModel sort;
    sort.setFrameModel(&model);
    QAbstractItemModelTester tester(&sort, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFrames(1, {frame(0x1, Direction::ClientToBackend, "{\"msg\":\"hello\"}"),
                        frame(0x9, Direction::ClientToBackend, {}),
                        frame(0xA, Direction::BackendToClient, {}),
                        frame(0x1, Direction::BackendToClient, "echo hello"),
                        frame(0x2, Direction::BackendToClient, "bin")});
    QCOMPARE(sort.rowCount(), 5);
    sort.setFoldPingPong(true);
    QCOMPARE(sort.rowCount(), 3);
    QCOMPARE(sort.hiddenControlFrames(), 2);
    model.appendFrames(1, {frame(0x9, Direction::ClientToBackend, {})});
    QCOMPARE(sort.rowCount(), 3);
    sort.setDirection(FrameSortModel::DirectionFilter::BackendToClient);
    QCOMPARE(sort.rowCount(), 2);
    sort.setOpcode(0x1);
    QCOMPARE(sort.rowCount(), 1);
    sort.setDirection(FrameSortModel::DirectionFilter::Both);
    sort.setText(QStringLiteral("HELLO"));
    QCOMPARE(sort.rowCount(), 2);
    sort.setFoldPingPong(false);
    sort.setOpcode(-1);
    sort.setText({});
    QCOMPARE(sort.rowCount(), 6);
}

void tst_FrameTableModel::jsonPreviewKeepsKeyOrder()
{
    // The JSON tab shows a frame's keys in the order the sender wrote them (QJsonDocument would
    // sort them), numbers and strings as sent.
    bool ok = false;
    const QString pretty = Gateway::Ui::prettyJson(
        R"({"type":"chat","seq":12.50,"body":{"z":[],"a":"x, \"y\": {z}"}})", &ok);
    QVERIFY(ok);
    QCOMPARE(pretty,
             QStringLiteral("{\n    \"type\": \"chat\",\n    \"seq\": 12.50,\n    \"body\": {\n"
                            "        \"z\": [],\n        \"a\": \"x, \\\"y\\\": {z}\"\n"
                            "    }\n}\n"));
    Gateway::Ui::prettyJson("{not json", &ok);
    QVERIFY(!ok);
}

QTEST_MAIN(tst_FrameTableModel)
#include "tst_frametablemodel.moc"
