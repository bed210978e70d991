// Azure-style error pages (azure-reference.md §8).

#include "http/errorpage.h"
#include "http/httpmessage.h"

#include <QTest>

using namespace Gateway::Http;

class tst_HttpErrorPage : public QObject
{
    Q_OBJECT

private slots:
    void exact502();
    void everyStatus_data();
    void everyStatus();
    void extraHeaders();
    void plainHttpToHttpsPort();
};

void tst_HttpErrorPage::exact502()
{
    const QByteArray body =
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
        "<center><h1>502 Bad Gateway</h1></center>\r\n"
        "<hr><center>Microsoft-Azure-Application-Gateway/v2</center>\r\n</body>\r\n</html>\r\n";
    QCOMPARE(errorPageBody(502), body);
    const QByteArray expected =
        "HTTP/1.1 502 Bad Gateway\r\nServer: Microsoft-Azure-Application-Gateway/v2\r\n"
        "Content-Type: text/html\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    QCOMPARE(errorPageResponse(502, false), expected);
}

void tst_HttpErrorPage::everyStatus_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("title");
    QTest::addColumn<bool>("keepAlive");
    const QList<QPair<int, const char *>> all = {{400, "400 Bad Request"},
                                                 {403, "403 Forbidden"},
                                                 {404, "404 Not Found"},
                                                 {405, "405 Not Allowed"},
                                                 {408, "408 Request Time-out"},
                                                 {413, "413 Request Entity Too Large"},
                                                 {414, "414 Request-URI Too Large"},
                                                 {417, "417 Expectation Failed"},
                                                 {431, "431 Request Header Fields Too Large"},
                                                 {500, "500 Internal Server Error"},
                                                 {501, "501 Not Implemented"},
                                                 {502, "502 Bad Gateway"},
                                                 {503, "503 Service Temporarily Unavailable"},
                                                 {504, "504 Gateway Time-out"},
                                                 {505, "505 HTTP Version Not Supported"}};
    for (const auto &[status, title] : all) {
        QTest::newRow(title) << status << QByteArray(title) << false;
        QTest::newRow(QByteArray(title + QByteArray(" keep-alive")).constData())
            << status << QByteArray(title) << true;
    }
}

void tst_HttpErrorPage::everyStatus()
{
    QFETCH(int, status);
    QFETCH(QByteArray, title);
    QFETCH(bool, keepAlive);
    const QByteArray response = errorPageResponse(status, keepAlive);
    ResponseHead head;
    const ParseResult r = ResponseParser().parse(response, "GET", &head);
    QCOMPARE(r.status, ParseResult::Status::Complete);
    QCOMPARE(head.status, status);
    QCOMPARE(head.keepAlive, keepAlive);
    QCOMPARE(head.bodyKind, BodyKind::ContentLength);
    QCOMPARE(headerValue(head.headers, "Server"),
             QByteArray("Microsoft-Azure-Application-Gateway/v2"));
    QCOMPARE(headerValue(head.headers, "Content-Type"), QByteArray("text/html"));
    const QByteArray body = response.mid(r.consumed);
    QCOMPARE(head.contentLength, body.size());
    QVERIFY(body.contains(QByteArray("<title>" + title + "</title>")));
    QVERIFY(body.contains(QByteArray("<center><h1>" + title + "</h1></center>")));
    QCOMPARE(QByteArray(QByteArray::number(status) + ' ' + head.reason), title);
}

void tst_HttpErrorPage::extraHeaders()
{
    const QByteArray r = errorPageResponse(503, true, "Retry-After: 5\r\n");
    QVERIFY(r.contains("\r\nRetry-After: 5\r\n\r\n<html>"));
    QVERIFY(!r.contains("Connection: close"));
}

void tst_HttpErrorPage::plainHttpToHttpsPort()
{
    const QByteArray r = plainHttpToHttpsPortResponse();
    ResponseHead head;
    const ParseResult p = ResponseParser().parse(r, "GET", &head);
    QCOMPARE(p.status, ParseResult::Status::Complete);
    QCOMPARE(head.status, 400);
    QVERIFY(!head.keepAlive);
    const QByteArray body = r.mid(p.consumed);
    QCOMPARE(head.contentLength, body.size());
    QVERIFY(body.contains("<title>400 The plain HTTP request was sent to HTTPS port</title>"));
    QVERIFY(body.contains("<center><h1>400 Bad Request</h1></center>"));
    QVERIFY(body.contains("<center>The plain HTTP request was sent to HTTPS port</center>"));
    QVERIFY(body.contains("<hr><center>Microsoft-Azure-Application-Gateway/v2</center>"));
}

QTEST_GUILESS_MAIN(tst_HttpErrorPage)
#include "tst_httperrorpage.moc"
