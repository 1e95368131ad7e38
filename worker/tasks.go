// Package worker runs Peerpath's background work on asynq: the task types and their handlers,
// the outbox relay that feeds the queue, and the scheduler of periodic tasks.
package worker

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"peerpath/courses"
)

// Task types.
const (
	TypeEmailSend        = courses.TaskEmailSend
	TypeSessionCleanup   = "session:cleanup"
	TypeCertificateIssue = courses.TaskCertificateIssue
	TypeReminderScan     = "reminder:scan"
	TypeCertificateSweep = "certificate:sweep"
)

// EmailSendPayload is one email to render and deliver.
type EmailSendPayload = courses.Email

// options are each task type's retry count, timeout and retention. Retention keeps a finished
// task's id reserved, so a duplicate enqueue in that time is refused as a conflict.
var options = map[string][]asynq.Option{
	TypeEmailSend:        {asynq.MaxRetry(15), asynq.Timeout(time.Minute), asynq.Retention(24 * time.Hour)},
	TypeSessionCleanup:   {asynq.MaxRetry(3), asynq.Timeout(5 * time.Minute), asynq.Retention(2 * time.Hour)},
	TypeCertificateIssue: {asynq.MaxRetry(20), asynq.Timeout(time.Minute), asynq.Retention(24 * time.Hour)},
	// A scan that fails is retried within the hour; the next hour's scan catches up anyway.
	TypeReminderScan:     {asynq.MaxRetry(5), asynq.Timeout(20 * time.Minute), asynq.Retention(2 * time.Hour)},
	TypeCertificateSweep: {asynq.MaxRetry(3), asynq.Timeout(5 * time.Minute), asynq.Retention(time.Hour)},
}

// CertificateIssuePayload names the completion to certify.
type CertificateIssuePayload = courses.CertificateIssuePayload

// NewCertificateIssueTask returns a certificate:issue task.
func NewCertificateIssueTask(p CertificateIssuePayload) (*asynq.Task, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("certificate:issue payload: %w", err)
	}
	return asynq.NewTask(TypeCertificateIssue, b, options[TypeCertificateIssue]...), nil
}

// NewEmailSendTask returns an email:send task.
func NewEmailSendTask(p EmailSendPayload) (*asynq.Task, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("email:send payload: %w", err)
	}
	return asynq.NewTask(TypeEmailSend, b, options[TypeEmailSend]...), nil
}

// NewSessionCleanupTask returns a session:cleanup task.
func NewSessionCleanupTask() *asynq.Task {
	return asynq.NewTask(TypeSessionCleanup, nil, options[TypeSessionCleanup]...)
}

// NewReminderScanTask returns a reminder:scan task. The scheduler queues one an hour; each finds
// the organisations where it is digest time.
func NewReminderScanTask() *asynq.Task {
	return asynq.NewTask(TypeReminderScan, nil, options[TypeReminderScan]...)
}

// NewCertificateSweepTask returns a certificate:sweep task, which queues the certificates of
// completions whose issue task was lost (see courses.Store.RequeueMissingCertificates).
func NewCertificateSweepTask() *asynq.Task {
	return asynq.NewTask(TypeCertificateSweep, nil, options[TypeCertificateSweep]...)
}
