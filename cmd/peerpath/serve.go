package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	iofs "io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"peerpath/courses"
	"peerpath/courses/content"
	"peerpath/frontend"
	"peerpath/server"
	"peerpath/worker"
	"peerpath/worker/mail"
)

func serveFlags(fs *flag.FlagSet) {
	fs.Bool("worker", true, "also run the background worker and scheduler in this process")
}

func (a *app) logger(c config) *slog.Logger {
	if c.Env == "production" {
		return slog.New(slog.NewJSONHandler(a.stderr, nil))
	}
	return slog.New(slog.NewTextHandler(a.stderr, nil))
}

// sender is SMTP when SMTP_URL is set, else (development only) the mailbox under the data folder.
func sender(c config) (mail.Sender, *mail.Mailbox, error) {
	if c.SMTPURL != "" {
		s, err := mail.NewSMTP(c.SMTPURL)
		if err != nil {
			return nil, nil, fmt.Errorf("SMTP_URL: %v", err)
		}
		return s, nil, nil
	}
	box, err := mail.NewMailbox(filepath.Join(c.DataDir, "mail"), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("PEERPATH_DATA_DIR: %v", err)
	}
	return box, box, nil
}

func runServe(ctx context.Context, a *app, fs *flag.FlagSet, _ []string) error {
	withWorker := fs.Lookup("worker").Value.String() == "true"
	c, store, done, err := a.store(ctx, true)
	if err != nil {
		return err
	}
	defer done()
	rdb, redisOpt, err := openRedis(ctx, c)
	if err != nil {
		return err
	}
	defer rdb.Close()
	log := a.logger(c)
	if err := syncShipped(ctx, store); err != nil {
		return err
	}
	if store.RoleplayKit, err = roleplayKit(); err != nil {
		return err
	}
	sign, err := signer(ctx, c, store)
	if err != nil {
		return err
	}
	send, box, err := sender(c)
	if err != nil {
		return err
	}
	dist, err := iofs.Sub(frontend.Dist, "dist")
	if err != nil {
		return err
	}
	cfg := server.Config{Store: store, Redis: rdb, Logger: log, BaseURL: c.BaseURL, Frontend: dist, CertificatePDF: certificatePDF,
		CalendarICS: mail.ICS}
	host, _ := os.Hostname()
	cfg.Rooms.Instance = fmt.Sprintf("%s-%d", host, os.Getpid())
	if box != nil && c.Env == "development" {
		cfg.Mailbox = mailboxView{box}
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("PEERPATH_ADDR: cannot listen on %s: %v", c.Addr, err)
	}
	httpSrv := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}

	var wg sync.WaitGroup
	workerCtx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorker()
	if withWorker {
		w := worker.New(worker.Config{Store: store, Redis: redisOpt, Queue: c.Queue, Sender: send, Logger: log, Signer: sign, BaseURL: c.BaseURL})
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.Run(workerCtx); err != nil {
				log.Error("worker stopped", "err", err)
			}
		}()
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpSrv.Serve(ln) }()
	fmt.Fprintf(a.stdout, "Peerpath %s is serving on http://%s (base URL %s, worker %v)\n", version, ln.Addr(), c.BaseURL, withWorker)
	if box != nil {
		fmt.Fprintf(a.stdout, "No SMTP_URL: mail goes to %s and %s/dev/mail\n", box.Dir(), c.BaseURL)
	}
	if a.ready != nil {
		a.ready(ln.Addr().String())
	}

	select {
	case err := <-serveErr:
		srv.Close(context.Background())
		stopWorker()
		wg.Wait()
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	// Live role-play sockets are hijacked, so Shutdown would not close them: tell them the server
	// is going away first, and they resume on another instance.
	srv.Close(shutCtx)
	err = httpSrv.Shutdown(shutCtx)
	stopWorker()
	wg.Wait()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

func runWorker(ctx context.Context, a *app, _ *flag.FlagSet, _ []string) error {
	c, store, done, err := a.store(ctx, false)
	if err != nil {
		return err
	}
	defer done()
	rdb, redisOpt, err := openRedis(ctx, c)
	if err != nil {
		return err
	}
	rdb.Close()
	send, _, err := sender(c)
	if err != nil {
		return err
	}
	sign, err := signer(ctx, c, store)
	if err != nil {
		return err
	}
	log := a.logger(c)
	fmt.Fprintf(a.stdout, "Peerpath %s worker is running (queue %s)\n", version, c.Queue)
	return worker.New(worker.Config{Store: store, Redis: redisOpt, Queue: c.Queue, Sender: send, Logger: log,
		Signer: sign, BaseURL: c.BaseURL}).Run(ctx)
}

// roleplayKit is the shipped scenario cards and rubric criteria that role-play sessions are
// scheduled from.
func roleplayKit() (courses.RoleplayKit, error) {
	lib, err := content.Load(content.Shipped)
	if err != nil {
		return courses.RoleplayKit{}, fmt.Errorf("shipped role-play kit:\n%w", err)
	}
	return courses.RoleplayKit{Cards: lib.Cards, Criteria: lib.Criteria}, nil
}

// mailboxView shows the development mailbox through the server's Mailbox interface.
type mailboxView struct{ box *mail.Mailbox }

func (v mailboxView) List(ctx context.Context) ([]server.MailSummary, error) {
	ms, err := v.box.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]server.MailSummary, len(ms))
	for i, m := range ms {
		out[i] = summary(m)
	}
	return out, nil
}

func (v mailboxView) Get(ctx context.Context, id string) (*server.MailMessage, error) {
	m, err := v.box.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return &server.MailMessage{MailSummary: summary(m), Text: m.Text, HTML: m.HTML}, nil
}

func summary(m mail.Message) server.MailSummary {
	return server.MailSummary{ID: m.ID, To: m.To, Subject: m.Subject, SentAt: m.SentAt}
}
