package main

import (
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The thin fan-out server `bench rooms` measures Peerpath against: the gorilla/websocket chat
// example's shape and nothing more. Each connection has a reader and a writer with a bounded
// queue; rooms are named by the "room" query parameter; every text message goes to every
// connection in its room, the sender included; a connection whose queue is full is dropped. No
// sign-in, no log, no state beyond who is connected. Unlike the example, each message is its own
// frame (the example packs queued messages into one), as Peerpath sends them.
const (
	thinQueue     = 256
	thinReadLimit = 16 << 10
	thinWriteWait = 10 * time.Second
	thinPongWait  = 60 * time.Second
	thinPingEvery = thinPongWait * 9 / 10
)

var thinUpgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferSize: 1024,
	// The load generator sends no Origin; the baseline checks nothing.
	CheckOrigin: func(*http.Request) bool { return true },
}

type thinRooms struct {
	mu    sync.Mutex
	rooms map[string]*thinRoom
}

type thinRoom struct {
	mu    sync.Mutex
	conns map[*thinConn]struct{}
}

type thinConn struct {
	ws   *websocket.Conn
	send chan []byte
}

func newThinRooms() *thinRooms { return &thinRooms{rooms: make(map[string]*thinRoom)} }

// room returns the named room, creating it. Rooms are never removed: the benchmark's set is fixed.
func (t *thinRooms) room(name string) *thinRoom {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.rooms[name]
	if r == nil {
		r = &thinRoom{conns: make(map[*thinConn]struct{})}
		t.rooms[name] = r
	}
	return r
}

func (t *thinRooms) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ws, err := thinUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	room := t.room(r.URL.Query().Get("room"))
	c := &thinConn{ws: ws, send: make(chan []byte, thinQueue)}
	room.mu.Lock()
	room.conns[c] = struct{}{}
	room.mu.Unlock()
	go c.write()
	c.read(room)
}

// leave removes c; whoever removes a connection closes its queue, so it is closed once.
func (r *thinRoom) leave(c *thinConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.conns[c]; ok {
		delete(r.conns, c)
		close(c.send)
	}
}

func (r *thinRoom) broadcast(msg []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for c := range r.conns {
		select {
		case c.send <- msg:
		default:
			// Too slow to keep up: dropped, as in the chat example.
			delete(r.conns, c)
			close(c.send)
		}
	}
}

func (c *thinConn) read(room *thinRoom) {
	defer func() {
		room.leave(c)
		c.ws.Close()
	}()
	c.ws.SetReadLimit(thinReadLimit)
	_ = c.ws.SetReadDeadline(time.Now().Add(thinPongWait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(thinPongWait)) })
	for {
		_, msg, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		room.broadcast(msg)
	}
}

func (c *thinConn) write() {
	ping := time.NewTicker(thinPingEvery)
	defer func() {
		ping.Stop()
		c.ws.Close()
	}()
	for {
		select {
		case msg, ok := <-c.send:
			_ = c.ws.SetWriteDeadline(time.Now().Add(thinWriteWait))
			if !ok {
				_ = c.ws.WriteMessage(websocket.CloseMessage, []byte{})
				return
			}
			if err := c.ws.WriteMessage(websocket.TextMessage, msg); err != nil {
				return
			}
		case <-ping.C:
			_ = c.ws.SetWriteDeadline(time.Now().Add(thinWriteWait))
			if err := c.ws.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}
