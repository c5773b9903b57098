package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/sentrytask/sentrytask"
)

// server is the catalog service. Each item request fans out three lookups
// with a Group, hands the thumbnail to a Pool shared by all requests, and
// schedules a view count with Detach that goes on after the response.
type server struct {
	thumbnails *sentrytask.Pool

	// followUps are the detached view counts, kept so that the program can
	// wait for them before it reports. Their Tasks, not a WaitGroup done
	// inside the function: a Task is finished once its span is, and its
	// transaction sent.
	mu        sync.Mutex
	followUps []*sentrytask.Task
}

func newServer(workers int) *server {
	return &server{thumbnails: sentrytask.NewPool(workers, sentrytask.WithSpan("thumbnail.render"))}
}

// handler routes the catalog's one endpoint. Middleware continues the
// caller's trace and names each transaction after the route.
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", s.item)
	return sentrytask.Middleware(mux)
}

type item struct {
	ID        int      `json:"id"`
	Price     int      `json:"price_cents"`
	Stock     int      `json:"stock"`
	Reviews   []string `json:"reviews"`
	Thumbnail string   `json:"thumbnail"`
}

func (s *server) item(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id < 1 {
		http.Error(w, "no such item", http.StatusNotFound)
		return
	}
	ctx := r.Context()
	it := item{ID: id}

	// Three lookups at once, each its own span under the request's
	// transaction. A failed review lookup is reported on its own span and
	// the item is served without reviews.
	g, _ := sentrytask.NewGroup(ctx, sentrytask.WithSpan("db.query"))
	g.Go(func(ctx context.Context) error {
		it.Price = lookup(ctx, 100*id)
		return nil
	}, sentrytask.WithDescription("SELECT price FROM items"))
	g.Go(func(ctx context.Context) error {
		it.Stock = lookup(ctx, id%5)
		return nil
	}, sentrytask.WithDescription("SELECT stock FROM inventory"))
	reviews := sentrytask.Go(ctx, func(ctx context.Context) error {
		if id%7 == 0 {
			return fmt.Errorf("reviews for item %d: upstream timed out", id)
		}
		it.Reviews = []string{"works as described"}
		lookup(ctx, 0)
		return nil
	}, sentrytask.WithSpan("reviews.lookup"), sentrytask.WithDescription("reviews service"), sentrytask.WithCaptureErrors())
	if err := g.Wait(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_ = reviews.Wait() // reported on its span; the item goes out without reviews

	// Rendering is CPU-bound and bounded across all requests by the pool.
	thumb, err := s.thumbnails.Submit(ctx, func(ctx context.Context) error {
		it.Thumbnail = fmt.Sprintf("/thumbs/%d.webp", id)
		time.Sleep(2 * time.Millisecond) // stands in for the rendering
		return nil
	}, sentrytask.WithDescription(fmt.Sprintf("item %d", id)))
	if err == nil {
		err = thumb.Wait()
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}

	// The view count must not delay the response nor die with the
	// request's context: Detach makes it a transaction of its own in the
	// same trace.
	view := sentrytask.Go(sentrytask.Detach(ctx), func(ctx context.Context) error {
		time.Sleep(5 * time.Millisecond) // stands in for the analytics call
		return nil
	}, sentrytask.WithSpan("analytics.view"), sentrytask.WithDescription(fmt.Sprintf("item %d", id)))
	s.mu.Lock()
	s.followUps = append(s.followUps, view)
	s.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(it)
}

// lookup stands in for a query: it takes a moment and returns v, unless
// the request has gone.
func lookup(ctx context.Context, v int) int {
	select {
	case <-time.After(time.Millisecond):
	case <-ctx.Done():
	}
	return v
}

// close stops taking thumbnails, waits for the follow-ups and reports
// whether everything accepted ran.
func (s *server) close(ctx context.Context) error {
	err := s.thumbnails.Shutdown(ctx)
	s.mu.Lock()
	followUps := s.followUps
	s.mu.Unlock()
	for _, t := range followUps {
		select {
		case <-t.Done():
		case <-ctx.Done():
			return errors.Join(err, fmt.Errorf("follow-ups still running: %w", ctx.Err()))
		}
	}
	return err
}
