#include "ui/window/keyvaluetable.h"

#include "ui/window/secretkeeper.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QStyledItemDelegate>

using namespace Qt::StringLiterals;

namespace heartline {

namespace {

// Paints a secret row's value as bullets and edits it in a password field.
class MaskedValueDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    static bool secretRow(const QModelIndex &index)
    {
        return index.siblingAtColumn(KeyValueTable::SecretColumn).data(Qt::CheckStateRole).toInt()
               == Qt::Checked;
    }

    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        if (secretRow(index) && !option->text.isEmpty() && !SecretKeeper::isReference(option->text))
            option->text = QString(qMin<qsizetype>(option->text.size(), 12), QChar(0x2022));
    }

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override
    {
        QWidget *editor = QStyledItemDelegate::createEditor(parent, option, index);
        if (auto *line = qobject_cast<QLineEdit *>(editor); line && secretRow(index))
            line->setEchoMode(QLineEdit::Password);
        return editor;
    }
};

} // namespace

KeyValueTable::KeyValueTable(const QString &nameHeader, QWidget *parent)
    : QTableWidget(0, 3, parent)
{
    setHorizontalHeaderLabels({nameHeader, tr("Value"), tr("Secret")});
    horizontalHeader()->setSectionResizeMode(NameColumn, QHeaderView::Interactive);
    horizontalHeader()->setSectionResizeMode(ValueColumn, QHeaderView::Stretch);
    horizontalHeader()->setSectionResizeMode(SecretColumn, QHeaderView::ResizeToContents);
    setColumnWidth(NameColumn, 180);
    verticalHeader()->hide();
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setItemDelegateForColumn(ValueColumn, new MaskedValueDelegate(this));
    connect(this, &QTableWidget::itemChanged, this, &KeyValueTable::handleChanged);
}

bool KeyValueTable::looksSecret(const QString &name)
{
    return SecretKeeper::looksSecret(name);
}

void KeyValueTable::addEntry(const QString &name, const QString &value)
{
    const QSignalBlocker quiet(this);
    const int row = rowCount();
    insertRow(row);
    setItem(row, NameColumn, new QTableWidgetItem(name));
    setItem(row, ValueColumn, new QTableWidgetItem(value));
    auto *secret = new QTableWidgetItem;
    secret->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
    secret->setCheckState(looksSecret(name) ? Qt::Checked : Qt::Unchecked);
    secret->setToolTip(tr("A secret's value is never shown"));
    setItem(row, SecretColumn, secret);
    setCurrentCell(row, name.isEmpty() ? NameColumn : ValueColumn);
}

void KeyValueTable::removeCurrent()
{
    if (currentRow() >= 0)
        removeRow(currentRow());
}

bool KeyValueTable::isSecret(int row) const
{
    const QTableWidgetItem *secret = item(row, SecretColumn);
    return secret && secret->checkState() == Qt::Checked;
}

void KeyValueTable::handleChanged(QTableWidgetItem *changed)
{
    if (changed->column() == NameColumn && looksSecret(changed->text())) {
        if (QTableWidgetItem *secret = item(changed->row(), SecretColumn))
            secret->setCheckState(Qt::Checked);
    }
    if (changed->column() == SecretColumn) // the value's cell paints differently now
        viewport()->update();
}

void KeyValueTable::setValues(const QJsonObject &values)
{
    setRowCount(0);
    for (auto it = values.begin(); it != values.end(); ++it)
        addEntry(it.key(), it.value().toString());
}

QList<QPair<QString, QString>> KeyValueTable::secretValuesWrittenOut() const
{
    QList<QPair<QString, QString>> written;
    for (int row = 0; row < rowCount(); ++row) {
        const QString name =
            item(row, NameColumn) ? item(row, NameColumn)->text().trimmed() : QString();
        const QString value = item(row, ValueColumn) ? item(row, ValueColumn)->text() : QString();
        if (isSecret(row) && !name.isEmpty() && !value.isEmpty() && !value.contains("${"_L1))
            written.append({name, value});
    }
    return written;
}

void KeyValueTable::setValue(const QString &name, const QString &value)
{
    for (int row = 0; row < rowCount(); ++row) {
        if (item(row, NameColumn) && item(row, NameColumn)->text().trimmed() == name
            && item(row, ValueColumn))
            item(row, ValueColumn)->setText(value);
    }
}

QJsonObject KeyValueTable::values() const
{
    QJsonObject values;
    for (int row = 0; row < rowCount(); ++row) {
        const QString name =
            item(row, NameColumn) ? item(row, NameColumn)->text().trimmed() : QString();
        if (!name.isEmpty())
            values.insert(name,
                          item(row, ValueColumn) ? item(row, ValueColumn)->text() : QString());
    }
    return values;
}

} // namespace heartline
