package sentrytaskgrpc

import (
	"context"
	"strings"

	"github.com/getsentry/sentry-go"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// clientDC is a client's resolved DataCollection, which NewClient fixes
// for the client's life.
type clientDC struct {
	client *sentry.Client
	dc     sentry.DataCollection
}

// dataCollection returns client's DataCollection, copied once per client
// the server meets rather than per RPC: Client.GetDataCollection clones
// it (measured: 6 of 330 allocations per RPC).
func (h *serverHandler) dataCollection(client *sentry.Client) *sentry.DataCollection {
	if c := h.dc.Load(); c != nil && c.client == client {
		return &c.dc
	}
	c := &clientDC{client: client, dc: client.GetDataCollection()}
	h.dc.Store(c)
	return &c.dc
}

// setRPCContext puts the RPC on ctx on the scope of hub, the fork the
// RPC's transaction started with, as sentry-go's own gRPC integration
// does: a "grpc" context with the method, the metadata as the client's
// DataCollection lets request headers be collected (sensitive values
// filtered, none when headers are off), and the peer's address when user
// data is collected (it is the client's IP, as an HTTP request's
// REMOTE_ADDR). Every event captured while the RPC is handled, and its
// transaction, carry it.
func (h *serverHandler) setRPCContext(ctx context.Context, hub *sentry.Hub, method string, md metadata.MD) {
	if hub == nil || hub.Client() == nil {
		return
	}
	dc := h.dataCollection(hub.Client())
	c := sentry.Context{"method": method}
	if len(md) > 0 {
		headers := make(map[string]string, len(md))
		for k, vs := range md {
			if len(vs) > 0 {
				headers[k] = strings.Join(vs, ",")
			}
		}
		if filtered := dc.FilterRequestHeaders(headers); len(filtered) > 0 {
			c["metadata"] = filtered
		}
	}
	if dc.UserInfo.Value {
		if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
			c["peer"] = p.Addr.String()
		}
	}
	hub.Scope().SetContext("grpc", c)
}
