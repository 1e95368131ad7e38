package server

import (
	"errors"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"peerpath/courses"
)

// requireOperator lets platform operators through and answers everyone else as if the route
// did not exist: the operations view is not advertised.
func (s *Server) requireOperator(c *gin.Context) {
	if p := principal(c); p == nil || !p.Person.Operator {
		s.handleNoRoute(c)
		c.Abort()
		return
	}
	c.Next()
}

func (s *Server) inspector() *asynq.Inspector { return asynq.NewInspectorFromRedisClient(s.redis) }

// queueInfo is one queue's counts. Retry tasks failed and wait for their next attempt; archived
// tasks failed their last attempt and wait for an operator.
type queueInfo struct {
	Name           string  `json:"name"`
	Size           int     `json:"size"`
	Pending        int     `json:"pending"`
	Active         int     `json:"active"`
	Scheduled      int     `json:"scheduled"`
	Retry          int     `json:"retry"`
	Archived       int     `json:"archived"`
	Completed      int     `json:"completed"`
	ProcessedToday int     `json:"processed_today"`
	FailedToday    int     `json:"failed_today"`
	LatencySeconds float64 `json:"latency_seconds"`
	Paused         bool    `json:"paused"`
}

func queueInfos(insp *asynq.Inspector) ([]queueInfo, error) {
	names, err := insp.Queues()
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]queueInfo, 0, len(names))
	for _, n := range names {
		q, err := insp.GetQueueInfo(n)
		if err != nil {
			return nil, err
		}
		out = append(out, queueInfo{Name: q.Queue, Size: q.Size, Pending: q.Pending, Active: q.Active,
			Scheduled: q.Scheduled, Retry: q.Retry, Archived: q.Archived, Completed: q.Completed,
			ProcessedToday: q.Processed, FailedToday: q.Failed, LatencySeconds: q.Latency.Seconds(), Paused: q.Paused})
	}
	return out, nil
}

func queuesUnavailable(err error) error {
	return errors.Join(courses.Errorf(courses.Unavailable, "The job queue (Redis) is not answering. Please try again in a moment."), err)
}

func (s *Server) handleOpsQueues(c *gin.Context) {
	qs, err := queueInfos(s.inspector())
	if err != nil {
		s.log.WarnContext(c.Request.Context(), "inspect queues", "request_id", requestID(c), "err", err)
		s.writeError(c, queuesUnavailable(err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"queues": qs})
}

// archivedTask is a task that failed its last attempt. Its payload is left out: it may hold
// personal data (names, email addresses) that an operator has no need to see.
type archivedTask struct {
	ID        string     `json:"id"`
	Type      string     `json:"type"`
	LastError string     `json:"last_error"`
	FailedAt  *time.Time `json:"failed_at"`
	Retried   int        `json:"retried"`
	MaxRetry  int        `json:"max_retry"`
}

// handleOpsArchived lists a queue's archived tasks, newest failure first. The cursor is the
// page number.
func (s *Server) handleOpsArchived(c *gin.Context) {
	page, ok := s.page(c)
	if !ok {
		return
	}
	if page.Limit == 0 {
		page.Limit = courses.DefaultPageSize
	}
	// asynq pages by number, so the cursor is the next page's number.
	num := 1
	if page.Cursor != "" {
		n, err := strconv.Atoi(page.Cursor)
		if err != nil || n < 1 || n > 100000 {
			s.writeError(c, courses.FieldError("cursor", "This cursor is not valid; start from the first page."))
			return
		}
		num = n
	}
	insp, queue := s.inspector(), c.Param("queue")
	// GetQueueInfo's "not found" is asynq-internal; the list of queue names says it plainly.
	names, err := insp.Queues()
	if err == nil && !slices.Contains(names, queue) {
		err = asynq.ErrQueueNotFound
	}
	var info *asynq.QueueInfo
	if err == nil {
		info, err = insp.GetQueueInfo(queue)
	}
	if err == nil {
		var tasks []*asynq.TaskInfo
		if tasks, err = insp.ListArchivedTasks(queue, asynq.PageSize(page.Limit), asynq.Page(num)); err == nil {
			next := ""
			if num*page.Limit < info.Archived {
				next = strconv.Itoa(num + 1)
			}
			c.JSON(http.StatusOK, listResponse[archivedTask]{Items: archived(tasks), NextCursor: next})
			return
		}
	}
	if errors.Is(err, asynq.ErrQueueNotFound) {
		s.writeError(c, courses.Errorf(courses.NotFound, "There is no queue %q.", queue))
		return
	}
	s.log.WarnContext(c.Request.Context(), "list archived tasks", "request_id", requestID(c), "err", err)
	s.writeError(c, queuesUnavailable(err))
}

func archived(tasks []*asynq.TaskInfo) []archivedTask {
	items := make([]archivedTask, 0, len(tasks))
	for _, t := range tasks {
		a := archivedTask{ID: t.ID, Type: t.Type, LastError: t.LastErr, Retried: t.Retried, MaxRetry: t.MaxRetry}
		if !t.LastFailedAt.IsZero() {
			at := t.LastFailedAt.UTC()
			a.FailedAt = &at
		}
		items = append(items, a)
	}
	return items
}

// queueCollector reports each queue's task counts to /metrics when scraped.
type queueCollector struct {
	rdb       *redis.Client
	tasks     *prometheus.Desc
	processed *prometheus.Desc
	failed    *prometheus.Desc
	latency   *prometheus.Desc
	up        *prometheus.Desc
}

func newQueueCollector(rdb *redis.Client) *queueCollector {
	return &queueCollector{
		rdb: rdb,
		tasks: prometheus.NewDesc("peerpath_queue_tasks", "Tasks in a queue by state (retry: failed and waiting to be tried again; archived: failed for good).",
			[]string{"queue", "state"}, nil),
		processed: prometheus.NewDesc("peerpath_queue_processed_today", "Tasks a queue processed today (UTC), failed or not.", []string{"queue"}, nil),
		failed:    prometheus.NewDesc("peerpath_queue_failed_today", "Task attempts that failed today (UTC).", []string{"queue"}, nil),
		latency:   prometheus.NewDesc("peerpath_queue_latency_seconds", "Age of the oldest pending task.", []string{"queue"}, nil),
		up:        prometheus.NewDesc("peerpath_queue_up", "1 when the job queue could be inspected.", nil, nil),
	}
}

func (q *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{q.tasks, q.processed, q.failed, q.latency, q.up} {
		ch <- d
	}
}

func (q *queueCollector) Collect(ch chan<- prometheus.Metric) {
	qs, err := queueInfos(asynq.NewInspectorFromRedisClient(q.rdb))
	if err != nil {
		ch <- prometheus.MustNewConstMetric(q.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(q.up, prometheus.GaugeValue, 1)
	for _, i := range qs {
		for state, n := range map[string]int{"pending": i.Pending, "active": i.Active, "scheduled": i.Scheduled,
			"retry": i.Retry, "archived": i.Archived, "completed": i.Completed} {
			ch <- prometheus.MustNewConstMetric(q.tasks, prometheus.GaugeValue, float64(n), i.Name, state)
		}
		ch <- prometheus.MustNewConstMetric(q.processed, prometheus.GaugeValue, float64(i.ProcessedToday), i.Name)
		ch <- prometheus.MustNewConstMetric(q.failed, prometheus.GaugeValue, float64(i.FailedToday), i.Name)
		ch <- prometheus.MustNewConstMetric(q.latency, prometheus.GaugeValue, i.LatencySeconds, i.Name)
	}
}
