#include "ui/window/statebadgedelegate.h"

#include <QApplication>
#include <QPainter>

namespace heartline {
namespace {
constexpr int kPadding = 8;
constexpr int kMargin = 3; // left and right
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

void StateBadgeDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                               const QModelIndex &index) const
{
    const QVariant stateValue = index.data(m_stateRole);
    if (!stateValue.canConvert<ConnectionState>()) {
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

    const ConnectionState state = stateValue.value<ConnectionState>();
    const QString shown = index.data(Qt::DisplayRole).toString();
    const QString text = shown.isEmpty() ? connectionStateLabel(state) : shown;
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
    painter->setBrush(colorFor(state));
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
    size.rwidth() += 2 * (kPadding + kMargin);
    return size;
}

} // namespace heartline
