#include "ui/window/theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

struct Original
{
    QString styleName;
    QPalette palette;
};

// What the platform chose, captured before the first change so System can restore it.
const Original &original()
{
    static const Original captured{QApplication::style()->name(), QApplication::palette()};
    return captured;
}

QPalette darkPalette()
{
    const QColor window(0x2b, 0x2d, 0x30);
    const QColor base(0x1e, 0x1f, 0x22);
    const QColor text(0xe6, 0xe6, 0xe6);
    const QColor disabled(0x80, 0x80, 0x80);
    const QColor highlight(0x3d, 0x7e, 0xd8);
    QPalette palette;
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2b));
    palette.setColor(QPalette::ToolTipBase, QColor(0x3c, 0x3f, 0x41));
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, disabled);
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, window);
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    palette.setColor(QPalette::Link, QColor(0x6c, 0xa8, 0xff));
    palette.setColor(QPalette::Highlight, highlight);
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Light, QColor(0x3c, 0x3f, 0x41));
    palette.setColor(QPalette::Midlight, QColor(0x35, 0x37, 0x3a));
    palette.setColor(QPalette::Mid, QColor(0x24, 0x25, 0x28));
    palette.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    palette.setColor(QPalette::Shadow, Qt::black);
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, disabled);
    palette.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x50, 0x50, 0x50));
    return palette;
}

} // namespace

void applyTheme(AppSettings::Theme theme)
{
    const Original &startup = original();
    switch (theme) {
    case AppSettings::Theme::System:
        if (QStyle *style = QStyleFactory::create(startup.styleName))
            QApplication::setStyle(style);
        QApplication::setPalette(startup.palette);
        return;
    case AppSettings::Theme::Light: {
        QStyle *fusion = QStyleFactory::create(u"Fusion"_s);
        QApplication::setStyle(fusion);
        QApplication::setPalette(fusion->standardPalette());
        return;
    }
    case AppSettings::Theme::Dark:
        QApplication::setStyle(QStyleFactory::create(u"Fusion"_s));
        QApplication::setPalette(darkPalette());
        return;
    }
}

} // namespace heartline
