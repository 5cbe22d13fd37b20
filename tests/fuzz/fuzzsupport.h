#pragma once

// What every fuzz target shares: one QCoreApplication for the run (Qt's objects want one), Qt's
// own messages kept quiet (a parser warning per input would drown libFuzzer's lines), and a
// failed invariant reported with the input that broke it before the run stops.

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QProcessEnvironment>
#include <QtGlobal>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace heartline::fuzzing {

inline int initialize(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv);
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &, const QString &message) {
        if (type == QtFatalMsg) {
            std::fprintf(stderr, "qFatal: %s\n", qPrintable(message));
            std::abort();
        }
    });
    return 0;
}

// The environment ${...} expands from in the config targets: a home and two variables.
inline QProcessEnvironment environment()
{
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("HOME"), QStringLiteral("/home/fuzz"));
    environment.insert(QStringLiteral("API_KEY"), QStringLiteral("k"));
    environment.insert(QStringLiteral("EMPTY"), QString());
    return environment;
}

inline QByteArray bytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

// `input` cut into pieces of 1 to 23 bytes, the cuts drawn from `seed`: as a pipe or a socket
// might deliver it.
inline QList<QByteArray> pieces(const QByteArray &input, quint32 seed)
{
    QList<QByteArray> out;
    for (qsizetype at = 0; at < input.size();) {
        seed = seed * 1103515245u + 12345u;
        const qsizetype size = 1 + qsizetype((seed >> 16) % 23);
        out.append(input.mid(at, size));
        at += size;
    }
    return out;
}

// An input whose first byte seeds the cuts and whose rest is the bytes, whole and cut.
struct SplitInput
{
    QByteArray whole;
    QList<QByteArray> pieces;
};
inline SplitInput splitInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return {};
    const QByteArray whole = bytes(data + 1, size - 1);
    return {whole, pieces(whole, data[0] + 1u)};
}

[[noreturn]] inline void fail(const char *invariant, const QByteArray &input)
{
    std::fprintf(stderr, "invariant broken: %s\ninput (%lld bytes): %s\n", invariant,
                 static_cast<long long>(input.size()),
                 input.left(2000).toPercentEncoding().constData());
    std::abort();
}

} // namespace heartline::fuzzing

// Every target's libFuzzer initialisation.
#define HEARTLINE_FUZZ_INITIALIZE()                                                                \
    extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)                                   \
    {                                                                                              \
        return heartline::fuzzing::initialize(argc, argv);                                         \
    }
