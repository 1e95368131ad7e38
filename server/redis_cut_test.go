package server_test

import (
	"io"
	"net"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"peerpath/migrations/testdb"
)

// cuttableRedis is a client of the test Redis through a TCP proxy the test can cut, as a crash
// or a partition would cut an instance off: every connection through it closes, whoever made it
// (the client's pool, its subscriptions, the rooms' publisher), and new ones are refused.
type cuttableRedis struct {
	*redis.Client
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func mustCuttableRedis(t *testing.T) *cuttableRedis {
	t.Helper()
	opt, err := redis.ParseURL(testdb.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	target := opt.Addr
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &cuttableRedis{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			r.mu.Lock()
			r.conns = append(r.conns, c, up)
			r.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	opt.Addr = ln.Addr().String()
	r.Client = redis.NewClient(opt)
	t.Cleanup(func() {
		r.cut()
		r.Client.Close()
	})
	return r
}

// cut closes every connection through the proxy and refuses new ones.
func (r *cuttableRedis) cut() {
	r.ln.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		c.Close()
	}
	r.conns = nil
}
