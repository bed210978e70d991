#include "cli.h"

#include "config/configdocument.h"
#include "config/configvalidator.h"
#include "demo/demo.h"
#include "events/jsonlineswriter.h"
#include "health/healthmonitor.h"
#include "health/healthtable.h"
#include "net/clock.h"
#include "net/filelimit.h"
#include "net/uringloop.h"
#include "proxy/gateway.h"
#include "tls/certificatefactory.h"
#include "tls/certificatestore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QSaveFile>
#include <QSocketNotifier>
#include <QTextStream>
#include <QThread>
#include <QTimer>

#include <csignal>
#include <cstdio>

#include <sys/socket.h>
#include <unistd.h>

namespace Cli {

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

const char *const HelpText =
    "Usage: appgw <command> [options]\n"
    "\n"
    "Runs an Azure Application Gateway configuration (an ARM template) on this machine.\n"
    "\n"
    "Commands:\n"
    "  run FILE [--parameters FILE] [--events PATH|-] [--workers N]\n"
    "      Serve FILE until SIGINT/SIGTERM, then stop gracefully. --events writes the event\n"
    "      stream as JSON lines to PATH (or standard output with -).\n"
    "  validate FILE [--parameters FILE]\n"
    "      Print every error and warning as FILE: json.path: message; exit 1 on errors.\n"
    "  demo [--events PATH|-] [--workers N] [--duration SECONDS]\n"
    "      Start the bundled demo (WebSocket chat/echo and HTTP backends, demo clients, one of\n"
    "      them pinging every 25 s against a 20 s request timeout) behind a gateway and print\n"
    "      the event stream (default: standard output) until SIGINT/SIGTERM.\n"
    "  health FILE [--parameters FILE] [--wait SECONDS]\n"
    "      Probe every backend once and print the backend health as\n"
    "      `az network application-gateway show-backend-health` does (a server whose probe\n"
    "      failed is Unhealthy, with Azure's detail); exit 0 when every server is healthy,\n"
    "      1 otherwise.\n"
    "  cert create --host NAME [--host NAME...] --out FILE.pfx [--password-env VAR]\n"
    "      Make a development CA (FILE-ca.crt) and a certificate for the names (FILE.pfx,\n"
    "      825 days; password from VAR, else empty), and print how to trust the CA.\n"
    "  cert create --client NAME --out FILE.pfx [--password-env VAR]\n"
    "      Make a client certificate (CN=NAME) signed by the development CA, for listeners\n"
    "      whose SSL profile authenticates clients: FILE.pfx, FILE.crt + FILE.key (PEM, for\n"
    "      curl --cert/--key) and FILE-ca.crt (the CA for trustedClientCertificates).\n"
    "\n"
    "Options:\n"
    "  --help       Show this help.\n"
    "  --version    Show the version.\n"
    "\n"
    "Exit codes: 0 success, 1 invalid configuration, 2 bad usage, 3 runtime failure.\n";

struct Options
{
    QString command;
    QString file;
    QString parameters;
    QString events;
    int workers = 1;
    int waitSeconds = 0;
    int durationSeconds = 0;
};

int usageError(const QString &message)
{
    err() << "appgw: " << message << "\n"
          << "Try 'appgw --help'.\n";
    err().flush();
    return BadUsage;
}

// Parses "cmd FILE [--opt value]..." strictly; returns -1 when parsing succeeded.
int parse(const QStringList &args, Options *options)
{
    QStringList rest = args.mid(1);
    if (rest.isEmpty())
        return usageError(QStringLiteral("no command given"));
    options->command = rest.takeFirst();
    while (!rest.isEmpty()) {
        const QString arg = rest.takeFirst();
        const auto value = [&](QString *target) -> bool {
            if (rest.isEmpty())
                return false;
            *target = rest.takeFirst();
            return true;
        };
        if (arg == QLatin1String("--parameters") || arg == QLatin1String("-p")) {
            if (!value(&options->parameters))
                return usageError(QStringLiteral("--parameters needs a file"));
        } else if (arg == QLatin1String("--events")) {
            if (!value(&options->events))
                return usageError(QStringLiteral("--events needs a path or -"));
        } else if (arg == QLatin1String("--workers")) {
            QString n;
            bool ok = false;
            if (!value(&n) || (options->workers = n.toInt(&ok), !ok) || options->workers < 1
                || options->workers > 64)
                return usageError(QStringLiteral("--workers needs a number from 1 to 64"));
        } else if (arg == QLatin1String("--duration")) {
            QString n;
            bool ok = false;
            if (!value(&n) || (options->durationSeconds = n.toInt(&ok), !ok)
                || options->durationSeconds < 1)
                return usageError(QStringLiteral("--duration needs a number of seconds"));
        } else if (arg == QLatin1String("--wait")) {
            QString n;
            bool ok = false;
            if (!value(&n) || (options->waitSeconds = n.toInt(&ok), !ok) || options->waitSeconds < 1)
                return usageError(QStringLiteral("--wait needs a number of seconds"));
        } else if (arg.startsWith(QLatin1Char('-')) && arg != QLatin1String("-")) {
            return usageError(QStringLiteral("unknown option %1").arg(arg));
        } else if (options->file.isEmpty()) {
            options->file = arg;
        } else {
            return usageError(QStringLiteral("unexpected argument %1").arg(arg));
        }
    }
    if (options->file.isEmpty() && options->command != QLatin1String("demo"))
        return usageError(QStringLiteral("%1 needs a configuration FILE").arg(options->command));
    return -1;
}

// Loads and validates; prints every diagnostic. Returns the document, or nullopt on errors.
std::optional<Gateway::Config::ConfigDocument> load(const Options &options, bool printWarnings,
                                                    int *exitCode)
{
    if (!QFileInfo::exists(options.file)) {
        err() << "appgw: " << options.file << ": no such file\n";
        *exitCode = InvalidConfiguration;
        return std::nullopt;
    }
    if (!options.parameters.isEmpty() && !QFileInfo::exists(options.parameters)) {
        err() << "appgw: " << options.parameters << ": no such file\n";
        *exitCode = InvalidConfiguration;
        return std::nullopt;
    }
    auto document = Gateway::Config::ConfigDocument::fromFile(options.file, options.parameters);
    Gateway::Config::Diagnostics diagnostics = document.loadDiagnostics();
    if (document.isLoaded())
        diagnostics += Gateway::Config::validate(document.model());
    if (document.isLoaded()) { // tls: certificates are loaded and checked now, not at the first connection
        Gateway::Tls::CertificateStore store;
        diagnostics += Gateway::Tls::loadCertificates(document.model(),
                                                      QFileInfo(options.file).absolutePath(),
                                                      &store);
    }
    int errors = 0;
    int warnings = 0;
    for (const auto &diagnostic : std::as_const(diagnostics)) {
        if (diagnostic.isError())
            ++errors;
        else
            ++warnings;
        if (diagnostic.isError() || (printWarnings && diagnostic.standIn.isEmpty()))
            out() << Gateway::Config::formatDiagnostic(options.file, diagnostic) << "\n";
        else if (!printWarnings && !diagnostic.standIn.isEmpty())
            // run: what stands in for Azure (a development certificate, an address that is not
            // contacted, a placeholder) is said once at start.
            err() << Gateway::Config::formatDiagnostic(options.file, diagnostic) << "\n";
    }
    if (printWarnings) {
        // One place that shows how the local run differs from Azure (issue 15): placeholders,
        // development certificates, unmapped addresses; in the same FILE: path: message form.
        QStringList standIns;
        for (const auto &diagnostic : std::as_const(diagnostics))
            if (!diagnostic.standIn.isEmpty())
                standIns << options.file + QStringLiteral(": ") + diagnostic.path
                                + QStringLiteral(": stood in (") + diagnostic.standIn
                                + QStringLiteral("): ") + diagnostic.message;
        if (!standIns.isEmpty())
            out() << options.file << ": stood in locally, " << standIns.size()
                  << " difference(s) from Azure:\n"
                  << standIns.join(QLatin1Char('\n')) << "\n";
    }
    out().flush();
    if (errors > 0 || !document.isLoaded()) {
        err() << "appgw: " << options.file << ": " << errors << " error(s), " << warnings
              << " warning(s)\n";
        err().flush();
        *exitCode = InvalidConfiguration;
        return std::nullopt;
    }
    return document;
}

int validateCommand(const Options &options)
{
    int exitCode = Success;
    const auto document = load(options, true, &exitCode);
    if (!document)
        return exitCode;
    return Success;
}

// SIGINT/SIGTERM -> a socket the event loop watches (the self-pipe pattern).
int g_signalFds[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalFds[1], &c, 1);
}

void installSignalHandlers(QObject *context, std::function<void(int count)> handler)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFds) != 0)
        return;
    struct sigaction action
    {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    auto *notifier = new QSocketNotifier(g_signalFds[0], QSocketNotifier::Read, context);
    auto count = std::make_shared<int>(0);
    QObject::connect(notifier, &QSocketNotifier::activated, context, [handler, count] {
        char c;
        [[maybe_unused]] const auto n = ::read(g_signalFds[0], &c, 1);
        handler(++*count);
    });
}

void reportOpenFileLimit(const Gateway::Net::OpenFileLimit &limit)
{
    // Which receive path the workers take (core/net/uringloop.h).
    const QString why = Gateway::Net::UringLoop::unavailableReason();
    err() << "appgw: workers receive with "
          << (why.isEmpty() ? QStringLiteral("io_uring (multishot receive)")
                            : QStringLiteral("epoll and recv(): %1").arg(why))
          << "\n";
    if (limit.soft < 0)
        return; // unlimited
    err() << "appgw: open-file limit " << limit.soft
          << (limit.raised ? " (raised to the hard limit)" : "") << ": room for about "
          << limit.soft / 2 << " WebSocket sessions\n";
}

int runCommand(const Options &options)
{
    int exitCode = Success;
    auto document = load(options, false, &exitCode);
    if (!document)
        return exitCode;

    // Thousands of sessions need thousands of descriptors: lift the soft limit (often 1,024).
    const Gateway::Net::OpenFileLimit fileLimit = Gateway::Net::raiseOpenFileLimit();
    Gateway::Proxy::GatewayOptions gatewayOptions;
    gatewayOptions.workers = options.workers;
    gatewayOptions.configDirectory = QFileInfo(options.file).absolutePath();
    gatewayOptions.accessEvents = !options.events.isEmpty();
    gatewayOptions.recordFrames = false; // no frames view here; events carry counts and close codes
    Gateway::Proxy::Gateway gateway(gatewayOptions);

    Gateway::Events::JsonLinesWriter writer;
    if (!options.events.isEmpty()) {
        QString error;
        if (!writer.open(options.events, &error)) {
            err() << "appgw: cannot write events to " << options.events << ": " << error << "\n";
            return RuntimeFailure;
        }
        QObject::connect(gateway.events(), &Gateway::Events::EventBus::eventsPublished, &writer,
                         &Gateway::Events::JsonLinesWriter::write);
    }

    QString error;
    if (!gateway.start(document->model(), &error)) {
        err() << "appgw: " << error << "\n";
        err().flush();
        return RuntimeFailure;
    }
    for (const auto &listener : gateway.listeners()) {
        err() << "appgw: listening on " << listener.protocol.toLower() << "://" << listener.address
              << ":" << listener.port << " (" << listener.name << ", frontend port "
              << listener.frontendPort << ")\n";
    }
    reportOpenFileLimit(fileLimit);
    err().flush();
    // Running out of descriptors is said on stderr too, not only in the events file (R09).
    QObject::connect(gateway.events(), &Gateway::Events::EventBus::eventsPublished, qApp,
                     [](const QList<Gateway::Events::GatewayEvent> &events) {
                         for (const auto &event : events) {
                             if (event.type == QLatin1String("listener.acceptPaused")) {
                                 err() << "appgw: port " << event.fields.value("port").toInt()
                                       << ": " << event.fields.value("message").toString()
                                       << " (open-file limit "
                                       << event.fields.value("openFileLimit").toInteger() << ", "
                                       << event.fields.value("openConnections").toInt()
                                       << " connections open)\n";
                             } else if (event.type == QLatin1String("listener.acceptResumed")) {
                                 err() << "appgw: port " << event.fields.value("port").toInt()
                                       << ": accepting again after "
                                       << event.fields.value("pausedMs").toInteger() << " ms\n";
                             }
                         }
                         err().flush();
                     });

    QObject::connect(&gateway, &Gateway::Proxy::Gateway::stopped, qApp, [] {
        // Let the last queued events reach the writer, then leave.
        QTimer::singleShot(0, qApp, [] { QCoreApplication::exit(Success); });
    });
    installSignalHandlers(&gateway, [&gateway](int count) {
        if (count == 1) {
            err() << "appgw: stopping (in-flight requests finish; signal again to stop now)\n";
            err().flush();
            gateway.stop();
        } else {
            gateway.stopNow();
        }
    });
    return QCoreApplication::exec();
}

int healthCommand(const Options &options)
{
    int exitCode = Success;
    auto document = load(options, false, &exitCode);
    if (!document)
        return exitCode;
    auto table = std::make_shared<Gateway::Health::HealthTable>();
    Gateway::Health::HealthMonitor monitor(nullptr, table);
    // One round of probes: like show-backend-health, a server whose probe failed is reported
    // Unhealthy with Azure's detail (the running gateway waits for the unhealthy threshold).
    monitor.setUnhealthyOnFirstFailure(true);
    monitor.setConfig(document->model(), QFileInfo(options.file).absolutePath());
    bool timedOut = false;
    QObject::connect(&monitor, &Gateway::Health::HealthMonitor::firstResultsReady, qApp,
                     [] { QCoreApplication::exit(0); });
    // The longest probe timeout bounds the wait (or --wait).
    int waitSeconds = options.waitSeconds;
    if (waitSeconds == 0) {
        waitSeconds = 30;
        for (const auto &probe : document->model().probes)
            waitSeconds = std::max(waitSeconds, probe.timeout);
        waitSeconds += 5;
    }
    QTimer::singleShot(waitSeconds * 1000, qApp, [&timedOut] {
        timedOut = true;
        QCoreApplication::exit(0);
    });
    monitor.start();
    if (!monitor.hasFirstResults())
        QCoreApplication::exec();
    monitor.stop();
    out() << monitor.backendHealthJson() << "\n";
    out().flush();
    if (timedOut)
        err() << "appgw: not every probe answered within " << waitSeconds << " s\n";
    bool allHealthy = !monitor.servers().isEmpty();
    for (const auto &server : monitor.servers())
        allHealthy = allHealthy && server.state == Gateway::Health::HealthState::Healthy;
    return allHealthy ? Success : InvalidConfiguration;
}

int demoCommand(const Options &options)
{
    Gateway::Net::raiseOpenFileLimit();
    Gateway::Demo::Demo demo;
    QString error;
    if (!demo.start(&error)) {
        err() << "appgw: demo: " << error << "\n";
        return RuntimeFailure;
    }
    auto document = Gateway::Config::ConfigDocument::fromJson(demo.gatewayConfigJson());
    Gateway::Proxy::GatewayOptions gatewayOptions;
    gatewayOptions.workers = options.workers;
    Gateway::Proxy::Gateway gateway(gatewayOptions);
    Gateway::Events::JsonLinesWriter writer;
    if (!writer.open(options.events.isEmpty() ? QStringLiteral("-") : options.events, &error)) {
        err() << "appgw: cannot write events: " << error << "\n";
        return RuntimeFailure;
    }
    QObject::connect(gateway.events(), &Gateway::Events::EventBus::eventsPublished, &writer,
                     &Gateway::Events::JsonLinesWriter::write);
    QObject::connect(&demo, &Gateway::Demo::Demo::log, qApp, [](const QString &line) {
        err() << "demo: " << line << "\n";
        err().flush();
    });
    if (!gateway.start(document.model(), &error)) {
        err() << "appgw: " << error << "\n";
        return RuntimeFailure;
    }
    const quint16 port = quint16(gateway.listeners().constFirst().port);
    err() << "appgw: demo gateway on http://127.0.0.1:" << port
          << "/ (WebSocket chat at ws://127.0.0.1:" << port << "/chat); Ctrl-C stops it\n";
    err().flush();
    demo.startClients(port);
    QObject::connect(&gateway, &Gateway::Proxy::Gateway::stopped, qApp,
                     [] { QTimer::singleShot(0, qApp, [] { QCoreApplication::exit(Success); }); });
    const auto stop = [&gateway, &demo] {
        gateway.stopNow(); // sessions close with reason "shutdown"
        demo.stop();
    };
    installSignalHandlers(&gateway, [stop](int) { stop(); });
    if (options.durationSeconds > 0)
        QTimer::singleShot(options.durationSeconds * 1000, &gateway, stop);
    return QCoreApplication::exec();
}

// `appgw cert create`: a development CA and a leaf, with OpenSSL's API (core/tls).
int certCommand(const QStringList &args)
{
    if (args.isEmpty() || args.first() != QLatin1String("create"))
        return usageError(
            QStringLiteral("cert needs a subcommand: cert create --host NAME --out FILE.pfx"));
    QStringList hosts;
    QString client;
    QString outFile;
    QString passwordEnv;
    for (int i = 1; i < args.size(); ++i) {
        const QString arg = args.at(i);
        const bool hasValue = i + 1 < args.size();
        if (arg == QLatin1String("--host") && hasValue)
            hosts.append(args.at(++i));
        else if (arg == QLatin1String("--client") && hasValue)
            client = args.at(++i);
        else if (arg == QLatin1String("--out") && hasValue)
            outFile = args.at(++i);
        else if (arg == QLatin1String("--password-env") && hasValue)
            passwordEnv = args.at(++i);
        else
            return usageError(QStringLiteral("cert create: unexpected argument %1").arg(arg));
    }
    if (!client.isEmpty() && !hosts.isEmpty())
        return usageError(QStringLiteral("cert create: --client and --host cannot be combined"));
    if ((hosts.isEmpty() && client.isEmpty()) || outFile.isEmpty())
        return usageError(
            QStringLiteral("cert create needs --host NAME (or --client NAME) and --out FILE.pfx"));
    QString password;
    if (!passwordEnv.isEmpty()) {
        if (!qEnvironmentVariableIsSet(passwordEnv.toLocal8Bit().constData()))
            return usageError(QStringLiteral("environment variable %1 is not set").arg(passwordEnv));
        password = qEnvironmentVariable(passwordEnv.toLocal8Bit().constData());
    }
    const QFileInfo outInfo(outFile);
    const QString base = outInfo.suffix().compare(QLatin1String("pfx"), Qt::CaseInsensitive) == 0
                             ? outInfo.absolutePath() + QLatin1Char('/')
                                   + outInfo.completeBaseName()
                             : outInfo.absoluteFilePath();
    const QString pfxPath = outInfo.absoluteFilePath();
    const QString caPath = base + QStringLiteral("-ca.crt");

    QString error;
    // The local development CA (made once, kept in the user's data folder): the same CA signs
    // the development certificates the gateway makes for listeners whose certificate cannot be
    // had locally, so trusting it once covers both.
    QString caFile;
    const Gateway::Tls::KeyPair ca = Gateway::Tls::developmentCa(&caFile, &error);
    Gateway::Tls::CertificateRequest leafRequest;
    leafRequest.commonName = client.isEmpty() ? hosts.first() : client;
    leafRequest.hosts = hosts; // a client certificate has no host names (EKU clientAuth)
    leafRequest.validDays = 825;
    const Gateway::Tls::KeyPair leaf = ca.isNull()
                                           ? Gateway::Tls::KeyPair{}
                                           : Gateway::Tls::CertificateFactory::create(leafRequest,
                                                                                      ca, &error);
    const QByteArray pfx = leaf.isNull()
                               ? QByteArray()
                               : Gateway::Tls::CertificateFactory::toPkcs12(leaf,
                                                                            {ca.certificatePem},
                                                                            password, &error);
    if (pfx.isEmpty()) {
        err() << "appgw: cannot create the certificate: " << error << "\n";
        return RuntimeFailure;
    }
    const auto save = [](const QString &path, const QByteArray &bytes, bool secret) {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return file.errorString();
        if (secret)
            file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        file.write(bytes);
        return file.commit() ? QString() : file.errorString();
    };
    QString problem = save(pfxPath, pfx, true);
    if (problem.isEmpty())
        problem = save(caPath, ca.certificatePem, false);
    if (problem.isEmpty() && !client.isEmpty())
        problem = save(base + QStringLiteral(".crt"), leaf.certificatePem, false);
    if (problem.isEmpty() && !client.isEmpty())
        problem = save(base + QStringLiteral(".key"), leaf.keyPem, true);
    if (!problem.isEmpty()) {
        err() << "appgw: cannot write " << outFile << ": " << problem << "\n";
        return RuntimeFailure;
    }
    if (!client.isEmpty()) {
        out()
            << "Created " << pfxPath << " (client certificate CN=" << client << ", valid 825 days"
            << (password.isEmpty() ? QStringLiteral(", empty password") : QString()) << ")\n"
            << "Created " << base << ".crt and " << base << ".key (the same, PEM)\n"
            << "Created " << caPath << " (the development CA that signed it)\n\n"
            << "Trust the CA in your template's SSL profile (data: the PEM text of " << caPath
            << ", or its base64):\n"
            << "  \"trustedClientCertificates\": [ { \"name\": \"devca\", \"properties\": "
               "{ \"data\": \"...\" } } ],\n"
            << "  \"sslProfiles\": [ { \"name\": \"mtls\", \"properties\": { "
               "\"trustedClientCertificates\": [ { \"id\": \"...trustedClientCertificates/devca\" "
               "} ] } } ]\n"
            << "Then: curl --cert " << base << ".crt --key " << base << ".key https://HOST:PORT/\n";
        out().flush();
        return Success;
    }
    // The CA's key is not kept: nothing else can ever be signed with it.
    out() << "Created " << pfxPath << " (certificate for " << hosts.join(QStringLiteral(", "))
          << ", valid 825 days"
          << (password.isEmpty() ? QStringLiteral(", empty password") : QString()) << ")\n"
          << "Created " << caPath << " (the development CA that signed it)\n\n"
          << "Trust the CA:\n"
          << "  curl:      curl --cacert " << caPath << " https://" << hosts.first() << ":PORT/\n"
          << "  Debian:    sudo cp " << caPath
          << " /usr/local/share/ca-certificates/appgw-dev-ca.crt"
          << " && sudo update-ca-certificates\n"
          << "  Chromium:  certutil -d sql:$HOME/.pki/nssdb -A -t \"C,,\" -n appgw-dev-ca -i "
          << caPath << "\n\n"
          << "Use it in your template, for the sslCertificates entry named CERTNAME:\n"
          << "  \"metadata\": { \"localGateway\": { \"certificateFiles\": {\n"
          << "    \"CERTNAME\": { \"pfx\": \"" << pfxPath << "\""
          << (passwordEnv.isEmpty() ? QString()
                                    : QStringLiteral(", \"passwordEnv\": \"%1\"").arg(passwordEnv))
          << " } } } }\n";
    out().flush();
    return Success;
}

} // namespace

int run(const QStringList &arguments)
{
    if (arguments.size() >= 2) {
        const QString first = arguments.at(1);
        if (first == QLatin1String("--help") || first == QLatin1String("-h")
            || first == QLatin1String("help")) {
            out() << HelpText;
            out().flush();
            return Success;
        }
        if (first == QLatin1String("--version") || first == QLatin1String("-v")) {
            out() << "appgw " << QCoreApplication::applicationVersion() << "\n";
            out().flush();
            return Success;
        }
    }
    if (arguments.size() >= 2 && arguments.at(1) == QLatin1String("cert"))
        return certCommand(arguments.mid(2));
    Options options;
    const int parsed = parse(arguments, &options);
    if (parsed >= 0)
        return parsed;
    if (options.command == QLatin1String("validate"))
        return validateCommand(options);
    if (options.command == QLatin1String("run"))
        return runCommand(options);
    if (options.command == QLatin1String("demo"))
        return demoCommand(options);
    if (options.command == QLatin1String("health"))
        return healthCommand(options);
    return usageError(QStringLiteral("unknown command %1").arg(options.command));
}

} // namespace Cli
