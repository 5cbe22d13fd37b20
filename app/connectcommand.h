#pragma once

#include <QProcessEnvironment>
#include <QStringList>

namespace heartline {

// `heartline connect claude-code|cursor|vscode|claude-desktop [--dry-run]`: writes Heartline's
// entry (named "heartline", this instance's /mcp URL, the bearer token when one is set) into
// that client's config file, changing no other byte of it and keeping a backup beside it;
// Claude Desktop takes only stdio servers, so its entry runs `npx -y mcp-remote URL`. Then names
// the servers that client still starts itself which Heartline now serves. Prints to stdout and
// stderr and returns the exit status: 0 done, 1 an error, 2 a usage error.
int runConnect(const QStringList &arguments, const QProcessEnvironment &environment);

} // namespace heartline
