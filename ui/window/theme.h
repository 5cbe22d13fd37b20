#pragma once

#include "ui/window/appsettings.h"

namespace heartline {

// Light and dark palettes on the Fusion style; System gives back the style and palette the
// application started with.
void applyTheme(AppSettings::Theme theme);

} // namespace heartline
