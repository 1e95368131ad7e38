package rooms

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// publisher sends the hub's messages to Redis over a connection of its own. A room's goroutine
// writes each message itself, and Redis is told not to reply (CLIENT REPLY OFF): a pipeline
// on a goroutine of its own cost that goroutine's wake-up and a wait for each batch's replies
// before the next, on every hop of a chat that crosses instances. One connection, written under
// a lock, keeps a room's messages in the order the room sent them.
//
// A message sent while the connection is down is dropped, as one lost in Redis would be: the
// instances it was for read the room's log at their next poll. The connection is dialled again
// in the background, so no room ever waits on a dial.
type publisher struct {
	opt *redis.Options
	log *slog.Logger
	// probe is the channel published to once per connection, before replies are turned off,
	// so that a Redis that refuses this instance's messages says so in the log.
	probe string

	ownConn
	buf []byte
	// msg and enc encode each message once, into a buffer kept for the next: the bytes are
	// copied into buf for each channel before the lock is let go.
	msg     bytes.Buffer
	enc     *json.Encoder
	dialing bool
}

// ownConn is a Redis connection of the hub's own, outside go-redis's pool (the publisher's or
// the subscriber's), with what closing it and dialling it again need.
type ownConn struct {
	mu     sync.Mutex
	conn   net.Conn
	closed bool
	done   chan struct{} // closed by close, to stop a dial loop waiting to try again
}

func newOwnConn() ownConn { return ownConn{done: make(chan struct{})} }

// close closes the connection for good.
func (o *ownConn) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return
	}
	o.closed = true
	close(o.done)
	if o.conn != nil {
		o.conn.Close()
		o.conn = nil
	}
}

// backoff waits before the next dial, twice as long as the last time up to 2 s; it reports
// false, at once, when the connection was closed meanwhile.
func (o *ownConn) backoff(wait *time.Duration) bool {
	select {
	case <-o.done:
		return false
	case <-time.After(*wait):
	}
	*wait = min(2**wait, 2*time.Second)
	return true
}

const (
	publishWait = 2 * time.Second // for a write: Redis not reading for this long counts as down
	dialWait    = 5 * time.Second
)

// newPublisher dials at once, so that what the first rooms publish is not dropped; when Redis
// does not answer, it goes on dialling in the background.
func newPublisher(opt *redis.Options, log *slog.Logger, probe string) *publisher {
	p := &publisher{opt: opt, log: log, probe: probe, ownConn: newOwnConn()}
	p.enc = json.NewEncoder(&p.msg)
	c, rd, err := p.dial()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		// The dial loop says so in the log.
		p.redialLocked()
		return p
	}
	p.conn = c
	go p.drain(c, rd)
	return p
}

// publish sends v, as JSON, on each of channels, in one write.
func (p *publisher) publish(v any, channels ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn == nil {
		p.redialLocked()
		return
	}
	p.msg.Reset()
	if err := p.enc.Encode(v); err != nil {
		p.log.Error("roleplay publish", "error", err)
		return
	}
	payload := bytes.TrimSuffix(p.msg.Bytes(), []byte("\n"))
	p.buf = p.buf[:0]
	for _, ch := range channels {
		p.buf = appendCommand(p.buf, "PUBLISH", ch, payload)
	}
	_ = p.conn.SetWriteDeadline(time.Now().Add(publishWait))
	if _, err := p.conn.Write(p.buf); err != nil {
		p.log.Warn("roleplay publish", "messages", len(channels), "error", err)
		p.dropLocked(p.conn)
	}
	if cap(p.buf) > 64<<10 {
		// A rare large message's buffers are not kept.
		p.buf = nil
		p.msg = bytes.Buffer{}
	}
}

// dropLocked closes c if it is still the connection, and dials again.
func (p *publisher) dropLocked(c net.Conn) {
	if p.conn != c {
		return
	}
	c.Close()
	p.conn = nil
	p.redialLocked()
}

func (p *publisher) redialLocked() {
	if p.dialing || p.closed {
		return
	}
	p.dialing = true
	go p.dialLoop()
}

func (p *publisher) dialLoop() {
	wait := 100 * time.Millisecond
	for failures := 0; ; failures++ {
		c, rd, err := p.dial()
		p.mu.Lock()
		if p.closed {
			p.dialing = false
			p.mu.Unlock()
			if c != nil {
				c.Close()
			}
			return
		}
		if err == nil {
			p.conn, p.dialing = c, false
			p.mu.Unlock()
			go p.drain(c, rd)
			return
		}
		p.mu.Unlock()
		if failures == 0 {
			p.log.Warn("roleplay publish: Redis unreachable; trying again", "error", err)
		}
		// Once closed, the next dial finds so.
		p.backoff(&wait)
	}
}

// dial connects, checks that this instance may publish, and turns replies off.
func (p *publisher) dial() (net.Conn, *bufio.Reader, error) {
	c, rd, err := dialRedis(p.opt, 512, appendCommand(nil, "PUBLISH", p.probe, []byte{}))
	if err != nil {
		return nil, nil, err
	}
	// Refused by a Redis that does not know it, this leaves replies on: drain reads them.
	if _, err := c.Write(appendCommand(nil, "CLIENT", "REPLY", []byte("OFF"))); err != nil {
		c.Close()
		return nil, nil, err
	}
	return c, rd, nil
}

// dialRedis connects as the client's options say (address, TLS, credentials, name), sends then
// the one command that must answer without an error, and reads the answers. The connection's
// reader holds bufSize bytes.
func dialRedis(opt *redis.Options, bufSize int, then []byte) (net.Conn, *bufio.Reader, error) {
	ctx, cancel := context.WithTimeout(context.Background(), dialWait)
	defer cancel()
	c, err := opt.Dialer(ctx, opt.Network, opt.Addr)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (net.Conn, *bufio.Reader, error) {
		c.Close()
		return nil, nil, err
	}
	_ = c.SetDeadline(time.Now().Add(dialWait))
	user, pass := opt.Username, opt.Password
	switch {
	case opt.CredentialsProviderContext != nil:
		if user, pass, err = opt.CredentialsProviderContext(ctx); err != nil {
			return fail(err)
		}
	case opt.CredentialsProvider != nil:
		user, pass = opt.CredentialsProvider()
	}
	var b []byte
	replies := 1
	if pass != "" {
		replies++
		if user != "" {
			b = appendCommand(b, "AUTH", user, []byte(pass))
		} else {
			b = appendCommand(b, "AUTH", pass, nil)
		}
	}
	if opt.ClientName != "" {
		replies++
		b = appendCommand(b, "CLIENT", "SETNAME", []byte(opt.ClientName))
	}
	if _, err := c.Write(append(b, then...)); err != nil {
		return fail(err)
	}
	rd := bufio.NewReaderSize(c, bufSize)
	for range replies {
		line, err := rd.ReadSlice('\n')
		if err == nil && len(line) > 0 && line[0] == '-' {
			err = errors.New(string(bytes.TrimSpace(line[1:])))
		}
		if err != nil {
			return fail(err)
		}
	}
	_ = c.SetDeadline(time.Time{})
	return c, rd, nil
}

// drain reads whatever Redis still sends on c (nothing, once replies are off) until c fails,
// so that a connection Redis closed is dialled again before the next write would find out.
func (p *publisher) drain(c net.Conn, rd *bufio.Reader) {
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			p.mu.Lock()
			if !p.closed && p.conn == c {
				p.log.Warn("roleplay publish: connection to Redis lost", "error", err)
			}
			p.dropLocked(c)
			p.mu.Unlock()
			return
		}
		if len(line) > 0 && line[0] == '-' {
			p.log.Warn("roleplay publish refused", "error", line[1:len(line)-2])
		}
	}
}

// appendCommand appends a Redis command of two or three words in the protocol's form, an array
// of bulk strings: arg is left out when nil.
func appendCommand(b []byte, name, key string, arg []byte) []byte {
	n := 2
	if arg != nil {
		n = 3
	}
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, "\r\n"...)
	b = appendBulk(b, name)
	b = appendBulk(b, key)
	if arg != nil {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(arg)), 10)
		b = append(b, "\r\n"...)
		b = append(b, arg...)
		b = append(b, "\r\n"...)
	}
	return b
}

func appendBulk(b []byte, s string) []byte {
	b = append(b, '$')
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, "\r\n"...)
	b = append(b, s...)
	return append(b, "\r\n"...)
}
