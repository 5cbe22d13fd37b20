#include "ui/window/statebadgedelegate.h"

#include <QApplication>
#include <QPainter>

namespace heartline {
namespace {
constexpr int kPadding = 8; // kHorizontalPadding is 2 * (kPadding + kMargin)
constexpr int kMargin = 3;  // left and right
constexpr int kVerticalMargin = 1;
} // namespace

StateBadgeDelegate::StateBadgeDelegate(int stateRole, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_stateRole(stateRole)
{}

QColor StateBadgeDelegate::colorFor(ConnectionState state)
{
    // Mid-tone hues with white text: legible on light and dark palettes alike.
    switch (state) {
    case ConnectionState::Streaming:
        return QColor(0x2e, 0x7d, 0x32);
    case ConnectionState::Open:
        return QColor(0x15, 0x65, 0xc0);
    case ConnectionState::Idle:
        return QColor(0x75, 0x75, 0x75);
    case ConnectionState::Resuming:
        return QColor(0xef, 0x6c, 0x00);
    case ConnectionState::Closed:
        return QColor(0x9e, 0x9e, 0x9e);
    }
    return QColor(0x60, 0x7d, 0x8b);
}

QColor StateBadgeDelegate::colorFor(UpstreamState state)
{
    switch (state) {
    case UpstreamState::Ready:
        return QColor(0x2e, 0x7d, 0x32);
    case UpstreamState::Starting:
        return QColor(0x15, 0x65, 0xc0);
    case UpstreamState::Degraded:
    case UpstreamState::AwaitingApproval:
        return QColor(0xef, 0x6c, 0x00);
    case UpstreamState::Crashed:
    case UpstreamState::CrashLoop:
    case UpstreamState::ConfigError:
        return QColor(0xc6, 0x28, 0x28);
    case UpstreamState::Stopped:
        return QColor(0x75, 0x75, 0x75);
    case UpstreamState::Disabled:
        return QColor(0x9e, 0x9e, 0x9e);
    }
    return QColor(0x60, 0x7d, 0x8b);
}

void StateBadgeDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                               const QModelIndex &index) const
{
    const QVariant stateValue = index.data(m_stateRole);
    const bool upstream = stateValue.metaType() == QMetaType::fromType<UpstreamState>();
    if (!upstream && stateValue.metaType() != QMetaType::fromType<ConnectionState>()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    // The row's background and selection, without the text.
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &background, painter, widget);

    const QString shown = index.data(Qt::DisplayRole).toString();
    QString text = shown;
    QColor color;
    if (upstream) {
        const auto state = stateValue.value<UpstreamState>();
        color = colorFor(state);
        if (text.isEmpty())
            text = upstreamStateLabel(state);
    } else {
        const auto state = stateValue.value<ConnectionState>();
        color = colorFor(state);
        if (text.isEmpty())
            text = connectionStateLabel(state);
    }
    QFont font = option.font;
    font.setPointSizeF(font.pointSizeF() * 0.85);
    const QFontMetrics metrics(font);
    const int height = qMin(option.rect.height() - 2 * kVerticalMargin, metrics.height() + 2);
    const int width = metrics.horizontalAdvance(text) + 2 * kPadding;
    const QRect pill(option.rect.left() + kMargin,
                     option.rect.top() + (option.rect.height() - height) / 2, width, height);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(color);
    painter->drawRoundedRect(pill, height / 2.0, height / 2.0);
    painter->setPen(Qt::white);
    painter->setFont(font);
    painter->drawText(pill, Qt::AlignCenter, text);
    painter->restore();
}

QSize StateBadgeDelegate::sizeHint(const QStyleOptionViewItem &option,
                                   const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.rwidth() += kHorizontalPadding;
    return size;
}

} // namespace heartline
