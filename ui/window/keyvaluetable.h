#pragma once

#include <QJsonObject>
#include <QTableWidget>

namespace heartline {

// Name/value rows with a "secret" check box each: a server's environment or its HTTP headers
// in the Add/Edit dialog. A secret's value is never shown (bullets in the cell, a password
// field while edited); a name that reads like a credential (KEY, TOKEN, SECRET, PASSWORD,
// AUTH) is marked secret as it is typed. Rows with an empty name are left out of values().
// A value that only names a secret kept elsewhere (${secret:NAME}) is shown as written.
class KeyValueTable final : public QTableWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeyValueTable)

public:
    enum Column { NameColumn, ValueColumn, SecretColumn };

    KeyValueTable(const QString &nameHeader, QWidget *parent = nullptr);

    static bool looksSecret(const QString &name);

    void setValues(const QJsonObject &values);
    QJsonObject values() const;
    void addEntry(const QString &name = {}, const QString &value = {});
    void removeCurrent();
    bool isSecret(int row) const;
    // The rows marked secret whose value is written out (not empty, no ${...} form): what Save
    // moves to the keyring. Name to value.
    QList<QPair<QString, QString>> secretValuesWrittenOut() const;
    // Sets the value of the row named `name`.
    void setValue(const QString &name, const QString &value);

private:
    void handleChanged(QTableWidgetItem *item);
};

} // namespace heartline
