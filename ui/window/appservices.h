#pragma once

namespace heartline {

class ClientSetup;
class SecretKeeper;
class ServerEntryStore;
class ServerImporter;
class ServerProbe;

// What the window asks of the app beyond ServerControl: the parts that write the person's
// files or start programs for them, which never cross the control socket. Each may be null
// (a test, or Heartline run without a config file): the window then offers what it can.
struct AppServices
{
    ServerEntryStore *entries = nullptr; // Add, Edit, Remove, "Open config file"
    ServerProbe *probe = nullptr;        // "Test" in the Add/Edit dialog
    ServerImporter *importer = nullptr;  // "Import from…"
    ClientSetup *clients = nullptr;      // "Add Heartline to…" in the Connect dialog
    // No config file existed when Heartline started: the window opens on the welcome.
    bool firstRun = false;
    SecretKeeper *secrets = nullptr; // values marked secret, kept out of the config file
};

} // namespace heartline
