#pragma once

// A loopback HTTPS backend presenting a given certificate; answers every request with 200 "OK".

#include "testcerts.h"

#include <QHostAddress>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpServer>

class TlsBackend final : public QTcpServer
{
public:
    QList<QByteArray> requests;

    QByteArray header(int request, const QByteArray &name) const
    {
        for (const QByteArray &line : requests.value(request).split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }

    TlsBackend(const TestCerts::KeyPair &leaf, QObject *parent = nullptr)
        : QTcpServer(parent), m_leaf(leaf)
    {
        listen(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return serverPort(); }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QSslSocket(this);
        socket->setSocketDescriptor(descriptor);
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setLocalCertificate(m_leaf.certificate());
        config.setPrivateKey(m_leaf.key());
        config.setPeerVerifyMode(QSslSocket::VerifyNone);
        socket->setSslConfiguration(config);
        auto buffer = std::make_shared<QByteArray>();
        QObject::connect(socket, &QSslSocket::readyRead, this, [this, socket, buffer] {
            *buffer += socket->readAll();
            const qsizetype end = buffer->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            requests.append(buffer->left(end + 4));
            socket->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK");
            socket->disconnectFromHost();
        });
        QObject::connect(socket, &QSslSocket::disconnected, socket, &QObject::deleteLater);
        socket->startServerEncryption();
    }

private:
    TestCerts::KeyPair m_leaf;
};
