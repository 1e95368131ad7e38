package rooms

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// subscriber reads the hub's channels over a Redis connection of its own. Each message is read
// into buffers kept for the next and handed over on the reading goroutine: go-redis's PubSub
// made two strings and a message of every one, and ran each through its own locks and
// deadlines, on the path of every message that crosses instances.
//
// The channels wanted are kept, so that after a connection is lost they are subscribed to
// again on the next one. Messages published meanwhile are lost, as with any Redis
// subscription: the rooms read them from the log at their next poll.
type subscriber struct {
	opt *redis.Options
	log *slog.Logger

	ownConn
	want map[string]struct{}
	// heard is when the connection last had something to read, in Unix nanoseconds.
	heard atomic.Int64
	// first is the connection newSubscriber dialled, for run to read first.
	first struct {
		c  net.Conn
		rd *bufio.Reader
	}
}

// subscriberBuffer is the connection's read buffer: a message of up to this size is read
// without another copy.
const subscriberBuffer = 64 << 10

// newSubscriber dials at once, so that nothing sent to this instance just after it starts is
// missed; when Redis does not answer, run goes on dialling.
func newSubscriber(opt *redis.Options, log *slog.Logger, channels ...string) *subscriber {
	s := &subscriber{opt: opt, log: log, want: make(map[string]struct{}), ownConn: newOwnConn()}
	for _, ch := range channels {
		s.want[ch] = struct{}{}
	}
	// On failure run dials again, and says so in the log.
	s.first.c, s.first.rd, _ = s.dial()
	return s
}

// subscribe adds channels; the connection, when up, hears of them at once.
func (s *subscriber) subscribe(channels ...string) { s.change("SUBSCRIBE", channels, true) }

// unsubscribe drops channels.
func (s *subscriber) unsubscribe(channels ...string) { s.change("UNSUBSCRIBE", channels, false) }

func (s *subscriber) change(cmd string, channels []string, add bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range channels {
		if add {
			s.want[ch] = struct{}{}
		} else {
			delete(s.want, ch)
		}
	}
	if s.conn != nil {
		s.writeLocked(appendArray(nil, cmd, channels))
	}
}

// writeLocked writes a command, with mu held; a connection that cannot take it is closed, and
// the reader dials again.
func (s *subscriber) writeLocked(b []byte) {
	_ = s.conn.SetWriteDeadline(time.Now().Add(publishWait))
	if _, err := s.conn.Write(b); err != nil {
		s.conn.Close()
	}
}

// run reads messages until close, handing each to deliver, which must not keep channel or
// payload. It dials again whenever the connection is lost, and pings a quiet one every idle,
// closing it when even a ping gets no answer.
func (s *subscriber) run(idle time.Duration, deliver func(channel, payload []byte)) {
	go s.watch(idle)
	wait := 100 * time.Millisecond
	for failures := 0; ; failures++ {
		c, rd, err := s.first.c, s.first.rd, error(nil)
		if c == nil {
			c, rd, err = s.dial()
		}
		s.first.c, s.first.rd = nil, nil
		if err == nil {
			failures, wait = 0, 100*time.Millisecond
			err = s.read(rd, deliver)
			s.mu.Lock()
			c.Close()
			if s.conn == c {
				s.conn = nil
			}
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return
			}
			s.log.Warn("roleplay subscription lost; subscribing again", "error", err)
			continue
		}
		if s.isClosed() {
			return
		}
		if failures == 0 {
			s.log.Warn("roleplay subscribe: Redis unreachable; trying again", "error", err)
		}
		if !s.backoff(&wait) {
			return
		}
	}
}

func (s *subscriber) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// dial connects and subscribes to every channel wanted, in one step under mu, so that a channel
// added meanwhile is subscribed to either here or by subscribe.
func (s *subscriber) dial() (net.Conn, *bufio.Reader, error) {
	c, rd, err := dialRedis(s.opt, subscriberBuffer, appendArray(nil, "PING", nil))
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		c.Close()
		return nil, nil, errors.New("closed")
	}
	s.conn = c
	s.heard.Store(time.Now().UnixNano())
	if len(s.want) > 0 {
		channels := make([]string, 0, len(s.want))
		for ch := range s.want {
			channels = append(channels, ch)
		}
		s.writeLocked(appendArray(nil, "SUBSCRIBE", channels))
	}
	return c, rd, nil
}

// watch pings a connection that has been quiet for idle, and closes one that stayed quiet for
// another idle after the ping.
func (s *subscriber) watch(idle time.Duration) {
	t := time.NewTicker(idle)
	defer t.Stop()
	pinged := time.Time{}
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
		heard := time.Unix(0, s.heard.Load())
		s.mu.Lock()
		switch {
		case s.conn == nil || time.Since(heard) < idle:
		case !pinged.IsZero() && pinged.After(heard) && time.Since(pinged) >= idle:
			s.log.Warn("roleplay subscription: Redis did not answer a ping; dialling again")
			s.conn.Close()
		default:
			pinged = time.Now()
			s.writeLocked(appendArray(nil, "PING", nil))
		}
		s.mu.Unlock()
	}
}

// read reads replies until the connection fails, handing over each message.
func (s *subscriber) read(rd *bufio.Reader, deliver func(channel, payload []byte)) error {
	var kind, channel, payload, rest []byte
	for {
		n, err := readHeader(rd, '*')
		if err != nil {
			return err
		}
		s.heard.Store(time.Now().UnixNano())
		// A message is [message, channel, payload]; a subscription's confirmation ends with a
		// count, and a pong has two parts.
		for i := range n {
			switch i {
			case 0:
				kind, err = readElement(rd, kind[:0])
			case 1:
				channel, err = readElement(rd, channel[:0])
			case 2:
				payload, err = readElement(rd, payload[:0])
			default:
				rest, err = readElement(rd, rest[:0])
			}
			if err != nil {
				return err
			}
		}
		if n == 3 && string(kind) == "message" {
			deliver(channel, payload)
		}
		if cap(payload) > subscriberBuffer {
			payload = nil // a rare large message's buffer is not kept
		}
	}
}

// readHeader reads a line that must start with prefix and carry a number.
func readHeader(rd *bufio.Reader, prefix byte) (int, error) {
	line, err := rd.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return 0, errors.New("redis: malformed reply")
	}
	if line[0] == '-' {
		return 0, errors.New("redis: " + string(line[1:len(line)-2]))
	}
	if line[0] != prefix {
		return 0, errors.New("redis: unexpected reply " + strconv.Quote(string(line)))
	}
	return parseCount(line[1 : len(line)-2])
}

// parseCount reads a count of the protocol's, without making a string of it.
func parseCount(b []byte) (int, error) {
	if len(b) == 0 || len(b) > 10 {
		return 0, errors.New("redis: malformed count")
	}
	n := 0
	for i, c := range b {
		if c == '-' && i == 0 && len(b) > 1 {
			continue
		}
		if c < '0' || c > '9' {
			return 0, errors.New("redis: malformed count")
		}
		n = n*10 + int(c-'0')
	}
	if b[0] == '-' {
		n = -n
	}
	return n, nil
}

// readElement reads a bulk string or an integer into buf.
func readElement(rd *bufio.Reader, buf []byte) ([]byte, error) {
	line, err := rd.ReadSlice('\n')
	if err != nil {
		return buf, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return buf, errors.New("redis: malformed reply")
	}
	switch line[0] {
	case ':':
		return append(buf, line[1:len(line)-2]...), nil
	case '$':
		n, err := parseCount(line[1 : len(line)-2])
		if err != nil || n < 0 {
			return buf, errors.New("redis: malformed bulk string")
		}
		start := len(buf)
		buf = slices.Grow(buf, n+2)[:start+n+2]
		if _, err := io.ReadFull(rd, buf[start:]); err != nil {
			return buf, err
		}
		if !bytes.HasSuffix(buf, []byte("\r\n")) {
			return buf, errors.New("redis: malformed bulk string")
		}
		return buf[:len(buf)-2], nil
	}
	return buf, errors.New("redis: unexpected element " + strconv.Quote(string(line)))
}

// appendArray appends a command of any number of words.
func appendArray(b []byte, name string, args []string) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(1+len(args)), 10)
	b = append(b, "\r\n"...)
	b = appendBulk(b, name)
	for _, a := range args {
		b = appendBulk(b, a)
	}
	return b
}
