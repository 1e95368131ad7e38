package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/gorilla/websocket"
)

// echoResult is the idle WebSocket echo: the floor under every rooms figure, measured on the thin
// server (a room of one is an echo) with nothing else running.
type echoResult struct {
	roundTrip []time.Duration // one message there and back on an open connection, sorted
	dial      []time.Duration // a new connection: dial, upgrade and one round trip, sorted
}

// benchEcho starts the thin server as a child, as `bench rooms` does, and times n round trips on
// one connection and dials new connections, each with one round trip, all one at a time.
func benchEcho(ctx context.Context, a *app, n, dials int) (echoResult, error) {
	var res echoResult
	ch, err := startRoomsChild(a, append(os.Environ(), "PEERPATH_BENCH_CHILD=1"), "thin", "")
	if err != nil {
		return res, err
	}
	defer ch.stop()
	once := func(ws *websocket.Conn, msg []byte) error {
		_ = ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if err := ws.WriteMessage(websocket.TextMessage, msg); err != nil {
			return fmt.Errorf("echo: send: %w", err)
		}
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, b, err := ws.ReadMessage()
		if err != nil {
			return fmt.Errorf("echo: read: %w", err)
		}
		if string(b) != string(msg) {
			return fmt.Errorf("echo: got %q back, want %q", b, msg)
		}
		return nil
	}
	dial := func(room string) (*websocket.Conn, error) {
		ws, _, err := roomsDialer.DialContext(ctx, fmt.Sprintf("ws://%s/ws?room=%s", ch.addr, room), nil)
		if err != nil {
			return nil, fmt.Errorf("echo: dial: %w", err)
		}
		return ws, nil
	}
	ws, err := dial("echo")
	if err != nil {
		return res, err
	}
	defer ws.Close()
	msg := []byte(`{"type":"chat","data":{"text":"echo"}}`)
	// The first trips warm the connection's buffers and both sides' goroutines.
	for range 50 {
		if err := once(ws, msg); err != nil {
			return res, err
		}
	}
	for range n {
		t0 := time.Now()
		if err := once(ws, msg); err != nil {
			return res, err
		}
		res.roundTrip = append(res.roundTrip, time.Since(t0))
	}
	for i := range dials {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		t0 := time.Now()
		// A room of its own, so no connection still closing from the last dial hears it.
		ws, err := dial(fmt.Sprintf("echo-dial-%d", i))
		if err != nil {
			return res, err
		}
		err = once(ws, msg)
		d := time.Since(t0)
		ws.Close()
		if err != nil {
			return res, err
		}
		res.dial = append(res.dial, d)
	}
	slices.Sort(res.roundTrip)
	slices.Sort(res.dial)
	return res, nil
}
