#pragma once

// Writes model edits back into a ConfigDocument's JSON text: only what changed, in place,
// keeping the user's expressions, key order and layout. Internal to core/config.

#include "config/configdocument.h"
#include "config/jsontext.h"

#include <QJsonObject>

namespace Gateway::Config {

class ConfigWriter
{
public:
    explicit ConfigWriter(const ConfigDocument &doc);

    // The canonical JSON of a gateway resource / of metadata.localGateway, references written
    // in this document's id style.
    QJsonObject gatewayJson(const GatewayConfig &config) const;
    QJsonObject localGatewayJson(const LocalGateway &local) const;
    // The id a new reference gets: resourceId(...) in templates, a literal id in bare resources.
    QString idFor(const QString &collection, const QString &name) const;

    // Writes the differences between from and to into text.
    bool write(Internal::JsonText &text, const GatewayConfig &from, const GatewayConfig &to,
               QString *error) const;
    // Renames an element and rewrites every reference to it.
    bool rename(Internal::JsonText &text, const QString &collection, const QString &oldName,
                const QString &newName, QString *error) const;

    static QByteArray newTemplate(const QString &gatewayName);

private:
    bool diff(Internal::JsonText &text, const Internal::TextPath &path, const QJsonValue &from,
              const QJsonValue &to) const;
    QJsonValue refJson(const Ref &ref) const;

    const ConfigDocument &m_doc;
    QString m_gatewayNameExpression; // what goes into resourceId(): parameters('x') or 'gw1'
    QString m_idBase;                // bare resources: the gateway's own id
};

} // namespace Gateway::Config
