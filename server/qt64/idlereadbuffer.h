#pragma once

class QTcpSocket;

namespace heartline {

// Gives back the read buffer a Qt 6.4 socket keeps once its request has been read.
//
// QAbstractSocket reads into a ring buffer of 16 KiB chunks and, when a reader has taken every
// byte, keeps the emptied chunk for the next read (QRingBuffer::free). QHttpServer reads its
// requests byte by byte, so every server socket ends up holding one for good: heaptrack put it
// at 160 MiB of heap at 10,000 idle streams, most of their memory. No public call drops it, but
// one public path hands the chunk out whole: QIODevice::read(n) with n equal to the first
// chunk's size takes the chunk itself instead of copying. So one byte is pushed back into the
// emptied chunk and read again, and the chunk leaves with it. Meant for a connection that will
// mostly wait (an SSE stream): its next incoming bytes allocate a new chunk as usual.
//
// Does nothing while unread bytes are buffered (a pipelined request is not touched). Returns
// whether a chunk was given back.
bool releaseIdleReadBuffer(QTcpSocket *socket);

} // namespace heartline
