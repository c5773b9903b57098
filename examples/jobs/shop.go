package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
)

// order is what the CLI places and the worker fulfils.
type order struct {
	ID    int   `json:"id"`
	Items []int `json:"items"`
}

// httpClient is built when the program starts, before Sentry is set up:
// NewTransport reads the trace from each request's context when it is sent.
var httpClient = &http.Client{Transport: sentrytask.NewTransport(nil), Timeout: 30 * time.Second}

// placeOrders is the CLI's command, "shop checkout": one transaction, one
// POST /orders per order.
func placeOrders(ctx context.Context, apiURL string, orders int) error {
	tx := sentry.StartTransaction(ctx, "shop checkout", sentry.WithOpName("cli.command"), sentry.WithTransactionSource(sentry.SourceTask))
	defer tx.Finish()
	for id := 1; id <= orders; id++ {
		body, _ := json.Marshal(order{ID: id, Items: []int{id*10 + 1, id*10 + 2}})
		req, err := http.NewRequestWithContext(tx.Context(), http.MethodPost, apiURL+"/orders", bytesReader(body))
		if err != nil {
			return err
		}
		resp, err := httpClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			return fmt.Errorf("POST /orders: %s", resp.Status)
		}
	}
	return nil
}

// shopAPI is the shop's HTTP API: POST /orders queues the order to be
// fulfilled and answers 202.
func shopAPI(q queue) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		var o order
		if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := q.enqueue(r.Context(), o); err != nil {
			sentrytask.HubFromContext(r.Context()).CaptureException(err)
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
	return mux
}

// inventory is the inventory service: GET /items/{id} answers an item's
// stock.
func inventory() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		stock, _ := sentrytask.InstrumentValue(r.Context(), "db.query", func(context.Context) (int, error) {
			return id % 7, nil
		}, sentrytask.WithDescription("SELECT stock FROM items"))
		_ = json.NewEncoder(w).Encode(map[string]int{"stock": stock})
	})
	return mux
}

// fulfil is the worker's job: check every item's stock with the inventory,
// concurrently, each in a task with a span of its own.
func fulfil(ctx context.Context, inventoryURL string, o order) error {
	// Each task is given the group's context, cancelled when one fails.
	g, _ := sentrytask.NewGroup(ctx, sentrytask.WithSpan("item.check"))
	for _, item := range o.Items {
		g.Go(func(ctx context.Context) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/items/%d", inventoryURL, item), nil)
			if err != nil {
				return err
			}
			resp, err := httpClient.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			var stock struct{ Stock int }
			return json.NewDecoder(resp.Body).Decode(&stock)
		}, sentrytask.WithDescription(fmt.Sprintf("item %d", item)))
	}
	return g.Wait()
}
