package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
)

// fetchCommand is the CLI's command, "catalog fetch": one transaction, the
// items fetched concurrently from Group tasks, and the report written in a
// step of its own.
func fetchCommand(ctx context.Context, out io.Writer, client *http.Client, baseURL string, items, concurrency int) error {
	tx := sentry.StartTransaction(ctx, "catalog fetch", sentry.WithOpName("cli.command"),
		sentry.WithTransactionSource(sentry.SourceTask))
	defer tx.Finish()
	ctx = tx.Context()

	ids, err := sentrytask.InstrumentValue(ctx, "config.load", func(context.Context) ([]int, error) {
		ids := make([]int, items)
		for i := range ids {
			ids[i] = i + 1
		}
		return ids, nil
	})
	if err != nil {
		return err
	}

	fetched := make([]item, len(ids))
	g, _ := sentrytask.NewGroup(ctx, sentrytask.WithSpan("item.fetch"))
	g.SetLimit(concurrency)
	for i, id := range ids {
		g.Go(func(ctx context.Context) error {
			return getJSON(ctx, client, fmt.Sprintf("%s/items/%d", baseURL, id), &fetched[i])
		}, sentrytask.WithDescription(fmt.Sprintf("item %d", id)))
	}
	if err := g.Wait(); err != nil {
		tx.Status = sentry.SpanStatusInternalError
		return err
	}

	return sentrytask.Instrument(ctx, "report.render", func(context.Context) error {
		sort.Slice(fetched, func(i, j int) bool { return fetched[i].ID < fetched[j].ID })
		total, withoutReviews := 0, 0
		for _, it := range fetched {
			total += it.Price * it.Stock
			if len(it.Reviews) == 0 {
				withoutReviews++
			}
		}
		_, err := fmt.Fprintf(out, "fetched %d items, stock worth %d.%02d, %d without reviews\n",
			len(fetched), total/100, total%100, withoutReviews)
		return err
	})
}

// getJSON is an ordinary request: the trace headers are added by the
// client's transport, from the span on ctx, at the time of the request.
func getJSON(ctx context.Context, client *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
