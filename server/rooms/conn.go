package rooms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"
)

// Close codes the server uses. 1001 and 1013 invite the client to reconnect and resume; 1008
// and the 4xxx codes mean reconnecting will not help.
const (
	closeGoingAway = websocket.CloseGoingAway       // 1001: the server is shutting down
	closePolicy    = websocket.ClosePolicyViolation // 1008: no hello, or far too many messages
	closeTryAgain  = websocket.CloseTryAgainLater   // 1013: too slow to keep up, or the log is down
	CloseNotFound  = 4004                           // no such session for this person
)

// conn is one WebSocket connection: a reader that turns messages into intents for the room, and
// a writer that drains a bounded queue, so one slow client never holds up the room.
type conn struct {
	hub    *Hub
	ws     *websocket.Conn
	pid    ParticipantID
	send   chan []byte
	closed chan struct{}
	once   sync.Once
	// closeCode and closeReason are set once, before closed is closed.
	closeCode   int
	closeReason string
	// joined is the room's (see live.post): whether a join command was logged for this conn.
	joined bool
}

// enqueue queues a message without waiting; a client whose queue is full is cut off and must
// resume, rather than slow the room down for everyone.
func (c *conn) enqueue(b []byte) {
	select {
	case <-c.closed:
	case c.send <- b:
	default:
		// The writer is stuck on a client that does not read: close the socket under it, so
		// the stuck write fails now rather than at its deadline. The client resumes on reconnect.
		c.hub.log.Info("roleplay slow client cut off", "participant", c.pid)
		c.kill(closeTryAgain, "Too many messages waiting; reconnect to catch up.")
		_ = c.ws.NetConn().Close()
	}
}

func (c *conn) kill(code int, reason string) {
	c.once.Do(func() {
		c.closeCode, c.closeReason = code, reason
		close(c.closed)
	})
}

// Serve runs a WebSocket connection for a participant already checked with Member until it
// ends. The first message must be hello.
func (h *Hub) Serve(ctx context.Context, ws *websocket.Conn, orgID, sessionID string, p Participant) {
	c := &conn{hub: h, ws: ws, pid: p.ID, send: make(chan []byte, h.cfg.SendQueue), closed: make(chan struct{})}
	ws.SetReadLimit(MaxMessageBytes)
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		c.write()
	}()
	defer func() {
		c.kill(websocket.CloseNormalClosure, "")
		<-writerDone
	}()

	l, err := h.acquire(ctx, orgID, sessionID)
	if err != nil {
		if errors.Is(err, ErrClosing) {
			c.kill(closeGoingAway, "The server is restarting; reconnect to carry on.")
		} else {
			c.kill(CloseNotFound, "No such role-play session.")
		}
		return
	}
	defer h.done(l)

	first, ok := c.readFirst()
	if !ok {
		return
	}
	l.post(func() { l.hello(c, first) })
	defer l.post(func() { l.unregister(c) })

	limiter := rate.NewLimiter(rate.Limit(h.cfg.MessagesPerSecond), h.cfg.Burst)
	refused := 0
	for {
		b, err := readMessage(ws)
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				c.kill(websocket.CloseMessageTooBig, "Messages are limited to 16 KB.")
			}
			return
		}
		now := h.cfg.Now().UTC()
		if !limiter.Allow() {
			refused++
			if refused > 4*h.cfg.Burst {
				c.kill(closePolicy, "Far too many messages.")
				return
			}
			c.enqueue(encode(NewErrorReply(now, reqIDOf(b), errorf("rate_limited", "Too many messages; slow down."))))
			continue
		}
		refused = 0
		// A chat runs here when the room is idle, rather than on a goroutine started for it.
		var in *Intent
		l.runHere(func() bool { in = l.quickMessage(c, b); return in != nil }, func() { l.message(c, b, in) })
	}
}

// readBuffers hold messages as they are read: each is then copied at its own size, where
// ReadMessage starts every message, however short, at 512 bytes.
var readBuffers = sync.Pool{New: func() any { return new([]byte) }}

func readMessage(ws *websocket.Conn) ([]byte, error) {
	buf := readBuffers.Get().(*[]byte)
	var err error
	*buf, err = ReadMessageInto(ws, (*buf)[:0])
	var b []byte
	if err == nil {
		b = bytes.Clone(*buf)
	}
	if cap(*buf) <= 4<<10 {
		readBuffers.Put(buf)
	}
	return b, err
}

// ReadMessageInto reads the next data message into buf, growing it as needed, and returns it.
func ReadMessageInto(ws *websocket.Conn, buf []byte) ([]byte, error) {
	_, rd, err := ws.NextReader()
	if err != nil {
		return buf, err
	}
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, 512)
		}
		n, err := rd.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// readFirst waits for the first message, which the room checks is a hello (see live.hello).
func (c *conn) readFirst() ([]byte, bool) {
	_ = c.ws.SetReadDeadline(time.Now().Add(c.hub.cfg.HelloWait))
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		return nil, false
	}
	_ = c.ws.SetReadDeadline(time.Now().Add(c.hub.cfg.PongWait))
	c.ws.SetPongHandler(func(string) error {
		return c.ws.SetReadDeadline(time.Now().Add(c.hub.cfg.PongWait))
	})
	return b, true
}

// reqIDOf pulls the req_id out of a message that failed to decode, so the error can name it.
func reqIDOf(b []byte) string {
	var m struct {
		ReqID string `json:"req_id"`
	}
	if json.Unmarshal(b, &m) != nil || len(m.ReqID) > MaxReqIDLen {
		return ""
	}
	return m.ReqID
}

func (c *conn) write() {
	ping := time.NewTicker(c.hub.cfg.PingEvery)
	defer ping.Stop()
	defer c.ws.Close()
	for {
		select {
		case b := <-c.send:
			_ = c.ws.SetWriteDeadline(time.Now().Add(c.hub.cfg.WriteWait))
			if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
				c.kill(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.hub.cfg.WriteWait)); err != nil {
				c.kill(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-c.closed:
			// Flush what is queued (a going-away client may still read it), then say why.
			for len(c.send) > 0 {
				_ = c.ws.SetWriteDeadline(time.Now().Add(c.hub.cfg.WriteWait))
				if c.ws.WriteMessage(websocket.TextMessage, <-c.send) != nil {
					return
				}
			}
			if c.closeCode != websocket.CloseAbnormalClosure {
				msg := websocket.FormatCloseMessage(c.closeCode, c.closeReason)
				_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
			}
			return
		}
	}
}
