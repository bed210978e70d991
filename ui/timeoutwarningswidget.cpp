#include "timeoutwarningswidget.h"

#include "columnfit.h"
#include "timeoutwarningsmodel.h"

#include <QHeaderView>
#include <QSplitter>
#include <QTextBrowser>
#include <QTimer>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

namespace Gateway::Ui {

TimeoutWarningsWidget::TimeoutWarningsWidget(TimeoutWarningsModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_view(new QTreeView(this))
    , m_explanation(new QTextBrowser(this))
{
    m_view->setModel(model);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAllColumnsShowFocus(true);
    m_view->setObjectName(QStringLiteral("timeoutWarningsView"));
    const int em = fontMetrics().horizontalAdvance(QLatin1Char('M'));
    m_view->header()->resizeSection(TimeoutWarningsModel::TimeColumn, 7 * em);
    m_view->header()->resizeSection(TimeoutWarningsModel::KindColumn, 20 * em);
    m_view->header()->resizeSection(TimeoutWarningsModel::SessionColumn, 5 * em);
    ColumnFitter::install(m_view);
    m_explanation->setOpenLinks(false);
    m_explanation->setObjectName(QStringLiteral("timeoutExplanation"));
    m_explanation->setPlaceholderText(
        tr("Sessions the gateway closes because of the backend setting's request timeout "
           "appear here, with the reason and a link to the setting."));

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("timeoutsSplitter"));
    split->addWidget(m_view);
    split->addWidget(m_explanation);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &TimeoutWarningsWidget::showCurrent);
    connect(m_view, &QTreeView::doubleClicked, this, [this](const QModelIndex &idx) {
        emit showSessionRequested(idx.data(TimeoutWarningsModel::SessionIdRole).toULongLong());
    });
    connect(m_explanation, &QTextBrowser::anchorClicked, this, [this](const QUrl &url) {
        if (url.scheme() == QLatin1String("setting"))
            emit openSettingRequested(url.path());
        else if (url.scheme() == QLatin1String("session"))
            emit showSessionRequested(url.path().toULongLong());
    });
    // Show the newest warning when nothing is selected yet.
    connect(m_model, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int, int last) {
                if (!m_view->currentIndex().isValid())
                    m_view->setCurrentIndex(m_model->index(last, 0));
            });
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &tl) {
        if (tl.row() == m_view->currentIndex().row())
            showCurrent();
    });
}

void TimeoutWarningsWidget::showCurrent()
{
    const QModelIndex idx = m_view->currentIndex();
    if (!idx.isValid()) {
        m_explanation->clear();
        return;
    }
    const QString setting = idx.data(TimeoutWarningsModel::SettingRole).toString().toHtmlEscaped();
    const bool closed = idx.data(TimeoutWarningsModel::ClosedRole).toBool();
    const QString text = idx.data(TimeoutWarningsModel::ExplanationRole).toString().toHtmlEscaped();
    const auto id = idx.data(TimeoutWarningsModel::SessionIdRole).toULongLong();
    QString html = QStringLiteral("<p style='color:%1'><b>%2</b></p><p>%3</p>")
                       .arg(closed ? QStringLiteral("#b02a20") : QStringLiteral("#b45309"),
                            closed ? tr("Session %1 closed by the request timeout").arg(id)
                                   : tr("Session %1 may be closed by the request timeout").arg(id),
                            text);
    html += QStringLiteral("<p><a href='setting:%1'>%2</a> &nbsp; <a href='session:%3'>%4</a></p>")
                .arg(setting, tr("Open backend setting “%1” in the editor").arg(setting))
                .arg(id)
                .arg(tr("Show the session"));
    m_explanation->setHtml(html);
}

QString TimeoutWarningsWidget::explanationText() const
{
    return m_explanation->toPlainText();
}

} // namespace Gateway::Ui
