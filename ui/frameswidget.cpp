#include "frameswidget.h"

#include "columnfit.h"
#include "framesortmodel.h"
#include "frametablemodel.h"
#include "icons.h"
#include "uiformat.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTabWidget>
#include <QTextBrowser>
#include <QToolButton>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

namespace Gateway::Ui {

FramesWidget::FramesWidget(QWidget *parent)
    : QWidget(parent)
    , m_model(new FrameTableModel(this))
    , m_sort(new FrameSortModel(this))
    , m_view(new QTreeView(this))
    , m_search(new QLineEdit(this))
    , m_direction(new QComboBox(this))
    , m_opcode(new QComboBox(this))
    , m_fold(new QToolButton(this))
    , m_foldLabel(new QLabel(this))
    , m_previewTabs(new QTabWidget(this))
    , m_text(new QPlainTextEdit(this))
    , m_hex(new QPlainTextEdit(this))
    , m_json(new QPlainTextEdit(this))
    , m_routing(new QTextBrowser(this))
    , m_title(new QLabel(this))
{
    m_sort->setFrameModel(m_model);
    m_search->setPlaceholderText(tr("Filter payload text…"));
    m_search->setClearButtonEnabled(true);
    m_direction->addItem(tr("Both directions"), int(FrameSortModel::DirectionFilter::Both));
    m_direction->addItem(Icons::icon(Icons::Name::ArrowIn), tr("Client → backend"),
                         int(FrameSortModel::DirectionFilter::ClientToBackend));
    m_direction->addItem(Icons::icon(Icons::Name::ArrowOut), tr("Backend → client"),
                         int(FrameSortModel::DirectionFilter::BackendToClient));
    m_opcode->addItem(tr("All opcodes"), -1);
    for (int op : {0x1, 0x2, 0x0, 0x8, 0x9, 0xA})
        m_opcode->addItem(opcodeText(quint8(op)), op);
    m_fold->setText(tr("Fold ping/pong"));
    m_fold->setCheckable(true);
    m_fold->setChecked(false);
    m_fold->setToolTip(tr("Hide ping and pong control frames from the list"));
    m_fold->setAutoRaise(true);
    m_foldLabel->setStyleSheet(QStringLiteral("color: palette(mid);"));

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 4, 4, 0);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_direction);
    bar->addWidget(m_opcode);
    bar->addWidget(m_fold);
    bar->addWidget(m_foldLabel);

    m_view->setModel(m_sort);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAllColumnsShowFocus(true);
    m_view->setAlternatingRowColors(true);
    m_view->setObjectName(QStringLiteral("framesView"));
    const int em = fontMetrics().horizontalAdvance(QLatin1Char('M'));
    m_view->header()->resizeSection(FrameTableModel::DirectionColumn, 7 * em);
    m_view->header()->resizeSection(FrameTableModel::OpcodeColumn, 6 * em);
    m_view->header()->resizeSection(FrameTableModel::SizeColumn, 5 * em);
    m_view->header()->resizeSection(FrameTableModel::TimeColumn, 7 * em);
    m_view->header()->resizeSection(FrameTableModel::FlagsColumn, 8 * em);
    ColumnFitter::install(m_view);

    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    for (QPlainTextEdit *edit : {m_text, m_hex, m_json}) {
        edit->setReadOnly(true);
        edit->setFont(mono);
        edit->setLineWrapMode(edit == m_hex ? QPlainTextEdit::NoWrap : QPlainTextEdit::WidgetWidth);
    }
    m_previewTabs->addTab(m_text, tr("Text"));
    m_previewTabs->addTab(m_hex, tr("Hex"));
    m_previewTabs->addTab(m_json, tr("JSON"));
    m_previewTabs->setDocumentMode(true);

    m_routing->setOpenLinks(false);
    m_routing->setObjectName(QStringLiteral("routingContext"));
    m_title->setText(tr("Select a WebSocket session to see its frames."));
    m_title->setWordWrap(true);

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->setSpacing(2);
    leftLayout->addLayout(bar);
    auto *vsplit = new QSplitter(Qt::Vertical, left);
    vsplit->setObjectName(QStringLiteral("framesVerticalSplitter"));
    vsplit->addWidget(m_view);
    vsplit->addWidget(m_previewTabs);
    vsplit->setStretchFactor(0, 3);
    vsplit->setStretchFactor(1, 1);
    leftLayout->addWidget(vsplit, 1);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("framesSplitter"));
    split->addWidget(left);
    split->addWidget(m_routing);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    m_routing->setMinimumWidth(16 * fontMetrics().horizontalAdvance(QLatin1Char('M')));
    split->setSizes({600, 260});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_title);
    layout->addWidget(split, 1);
    m_title->setContentsMargins(6, 4, 6, 0);

    connect(m_search, &QLineEdit::textChanged, m_sort, &FrameSortModel::setText);
    connect(m_direction, &QComboBox::currentIndexChanged, this, [this] {
        m_sort->setDirection(FrameSortModel::DirectionFilter(m_direction->currentData().toInt()));
    });
    connect(m_opcode, &QComboBox::currentIndexChanged, this,
            [this] { m_sort->setOpcode(m_opcode->currentData().toInt()); });
    connect(m_fold, &QToolButton::toggled, this, [this](bool on) {
        m_sort->setFoldPingPong(on);
        updateFoldLabel();
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &FramesWidget::updateFoldLabel);
    connect(m_model, &QAbstractItemModel::modelReset, this, &FramesWidget::updateFoldLabel);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &FramesWidget::showPreview);
    connect(m_routing, &QTextBrowser::anchorClicked, this, [this](const QUrl &url) {
        if (url.scheme() == QLatin1String("setting"))
            emit openSettingRequested(url.path());
    });
}

void FramesWidget::updateFoldLabel()
{
    const int hidden = m_sort->hiddenControlFrames();
    m_foldLabel->setText(hidden > 0 ? tr("%n ping/pong folded", nullptr, hidden) : QString());
}

void FramesWidget::showPreview()
{
    const QModelIndex idx = m_sort->mapToSource(m_view->currentIndex());
    if (!idx.isValid()) {
        m_text->clear();
        m_hex->clear();
        m_json->clear();
        return;
    }
    const Session::FrameRecord &f = m_model->frame(idx.row());
    QString text = FrameTableModel::previewText(f);
    if (f.opcode == 0x1 || f.opcode == 0x0)
        text = QString::fromUtf8(f.preview);
    if (f.payloadLength > quint64(f.preview.size()))
        text += tr("\n\n(preview: first %1 of %2 bytes)").arg(f.preview.size()).arg(f.payloadLength);
    if (!f.invalidReason.isEmpty())
        text += tr("\n\nInvalid frame: %1").arg(f.invalidReason);
    m_text->setPlainText(text);
    m_hex->setPlainText(hexDump(f.preview));
    bool ok = false;
    const QString json = prettyJson(f.preview, &ok);
    m_json->setPlainText(ok ? json : tr("(not JSON)"));
    if (ok && m_previewTabs->currentWidget() == m_text)
        m_previewTabs->setCurrentWidget(m_json);
}

namespace {
QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}
} // namespace

void FramesWidget::updateSession(const Session::SessionSnapshot &s,
                                 const Config::GatewayConfig &config)
{
    const Config::BackendHttpSettings *setting = config.backendHttpSettings(s.setting);
    QString affinity = tr("off");
    if (setting
        && setting->cookieBasedAffinity.compare(QLatin1String("Enabled"), Qt::CaseInsensitive)
               == 0) {
        affinity = tr("cookie %1")
                       .arg(setting->affinityCookieName.isEmpty()
                                ? QStringLiteral("ApplicationGatewayAffinity")
                                : setting->affinityCookieName);
    }
    auto row = [](const QString &k, const QString &v) {
        return QStringLiteral(
                   "<tr><td style='color:#6b7280;padding-right:8px;white-space:nowrap'>%1</td>"
                   "<td style='white-space:nowrap'><b>%2</b></td></tr>")
            .arg(k, v);
    };
    QString html = QStringLiteral("<h4 style='margin:2px'>%1</h4><table>").arg(tr("Routing context"));
    html += row(tr("Listener"), esc(s.listener));
    html += row(tr("Rule"), esc(s.rule));
    html += row(tr("Path"), esc(s.path));
    html += row(tr("Pool"), esc(s.pool));
    html += row(tr("Server"), esc(s.server)
                                  + (s.serverEndpoint.isEmpty() || s.serverEndpoint == s.server
                                         ? QString()
                                         : QStringLiteral(" → ") + esc(s.serverEndpoint)));
    html += row(tr("Affinity"), esc(affinity));
    html += row(tr("Backend setting"),
                QStringLiteral("<a href='setting:%1'>%2</a>").arg(esc(s.setting), esc(s.setting)));
    html += row(tr("Request timeout"),
                s.timeoutMs > 0 ? tr("%1 s (idle timeout of the session)").arg(s.timeoutMs / 1000)
                                : tr("none"));
    if (!s.subprotocol.isEmpty())
        html += row(tr("Subprotocol"), esc(s.subprotocol));
    if (s.heartbeatIntervalMs > 0)
        html += row(tr("Ping interval"),
                    tr("%1 s observed").arg(double(s.heartbeatIntervalMs) / 1000.0, 0, 'f', 1));
    html += row(tr("Client"), esc(s.clientAddress));
    if (!s.rewrites.isEmpty()) // rule set/rule, target, before -> after (the last request)
        html += row(tr("Rewrites"), esc(s.rewrites.join(QLatin1Char('\n')))
                                        .replace(QLatin1Char('\n'), QLatin1String("<br>")));
    html += QStringLiteral("</table>");
    if (s.heartbeatWarning && s.state != Session::SessionState::Closed) {
        html += QStringLiteral("<p style='color:#b45309'>&#9888; %1</p>")
                    .arg(esc(heartbeatWarningText(s)));
    }
    if (s.state == Session::SessionState::Closed) {
        if (s.closeReason == QLatin1String("requestTimeout"))
            html += QStringLiteral("<p style='color:#b02a20'>%1</p>").arg(esc(timeoutExplanation(s)));
        else
            html += QStringLiteral("<p>%1</p>")
                        .arg(esc(tr("Closed by %1, code %2, reason %3")
                                     .arg(s.closedBy.isEmpty() ? tr("?") : s.closedBy)
                                     .arg(s.closeCode)
                                     .arg(s.closeReason.isEmpty() ? tr("none") : s.closeReason)));
    }
    m_routing->setHtml(html);
    m_title->setText(tr("Session %1 · %2 · %3 frames in, %4 out")
                         .arg(s.id)
                         .arg(s.webSocket ? tr("WebSocket %1").arg(s.path) : tr("HTTP (no frames)"))
                         .arg(s.framesIn)
                         .arg(s.framesOut));
}

void FramesWidget::showSession(const Session::SessionSnapshot &session,
                               const QList<Session::FrameRecord> &frames,
                               const Config::GatewayConfig &config)
{
    m_model->setFrames(session.id, frames);
    updateSession(session, config);
    if (frames.size() > 0)
        m_view->scrollToBottom();
}

void FramesWidget::clearSession()
{
    m_model->clear();
    m_routing->clear();
    m_title->setText(tr("Select a WebSocket session to see its frames."));
}

QString FramesWidget::routingText() const
{
    return m_routing->toPlainText();
}

} // namespace Gateway::Ui
