#include "errorpage.h"

#include "httpmessage.h"

namespace Gateway::Http {

namespace {

QByteArray page(const QByteArray &title, const QByteArray &heading, const QByteArray &detail = {})
{
    QByteArray body;
    body.reserve(200 + 2 * title.size());
    body.append("<html>\r\n<head><title>")
        .append(title)
        .append("</title></head>\r\n<body>\r\n<center><h1>")
        .append(heading)
        .append("</h1></center>\r\n");
    if (!detail.isEmpty())
        body.append("<center>").append(detail).append("</center>\r\n");
    body.append("<hr><center>").append(ServerName).append("</center>\r\n</body>\r\n</html>\r\n");
    return body;
}

QByteArray response(int status, const QByteArray &body, bool keepAlive,
                    const QByteArray &extraHeaders)
{
    QByteArray out;
    out.reserve(body.size() + 200 + extraHeaders.size());
    out.append("HTTP/1.1 ")
        .append(QByteArray::number(status))
        .append(' ')
        .append(reasonPhrase(status))
        .append("\r\nServer: ")
        .append(ServerName)
        .append("\r\nContent-Type: text/html\r\nContent-Length: ")
        .append(QByteArray::number(body.size()))
        .append("\r\n");
    if (!keepAlive)
        out.append("Connection: close\r\n");
    out.append(extraHeaders);
    out.append("\r\n");
    out.append(body);
    return out;
}

} // namespace

QByteArray errorPageBody(int status)
{
    const QByteArray title = QByteArray::number(status) + ' ' + reasonPhrase(status);
    return page(title, title);
}

QByteArray errorPageResponse(int status, bool keepAlive, const QByteArray &extraHeaders,
                             const QByteArray &customBody)
{
    return response(status, customBody.isNull() ? errorPageBody(status) : customBody, keepAlive,
                    extraHeaders);
}

QByteArray plainHttpToHttpsPortResponse()
{
    const QByteArray body = page("400 The plain HTTP request was sent to HTTPS port",
                                 "400 Bad Request",
                                 "The plain HTTP request was sent to HTTPS port");
    return response(400, body, false, {});
}

QByteArray clientCertificateErrorResponse(bool missing)
{
    const QByteArray detail = missing ? QByteArray("No required SSL certificate was sent")
                                      : QByteArray("The SSL certificate error");
    return response(400, page("400 " + detail, "400 Bad Request", detail), false, {});
}

} // namespace Gateway::Http
