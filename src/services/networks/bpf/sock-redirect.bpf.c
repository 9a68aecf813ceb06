// Published ports for the host's own clients without NAT: a TCP or UDP connect(), or a UDP sendto(), from the daemon's
// network namespace to a published host ip:port is sent straight to the container's ip:port (as Cilium's socket LB
// does); getpeername() and recvfrom() answer the address that was dialled. Everything else (other namespaces, unknown
// ports) falls to the DNAT rules.
// Built by `make build` into dist; loaded, pinned and attached per daemon by sock-redirect.ts through bpftool.
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define AF_INET 2

/** A published host address (0 for any of the host's own addresses), port and protocol, in network byte order. */
struct service_key {
	__u32 ip;
	__u16 port;
	__u8 proto;
	__u8 pad;
};

/** Where the connection goes instead: the container's address and port, network byte order. */
struct backend {
	__u32 ip;
	__u16 port;
	__u16 pad;
};

/** What a redirected socket dialled and where it was sent, for getpeername(). */
struct dialled {
	struct backend orig;
	struct backend target;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct service_key);
	__type(value, struct backend);
} services SEC(".maps");

/** The host's own IPv4 addresses besides 127/8, which wildcard bindings answer on (value unused). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} locals SEC(".maps");

/** Entry 0: the network namespace cookie of the daemon (the host); 0 leaves every socket alone. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} config SEC(".maps");

/** A UDP socket's datagrams from a container it was redirected to: which published address they answer for. */
struct reply_key {
	__u64 cookie;
	struct backend from;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct reply_key);
	__type(value, struct backend);
} udp_replies SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct dialled);
} dialled SEC(".maps");

static __always_inline int in_host_netns(struct bpf_sock_addr *ctx)
{
	__u32 zero = 0;
	__u64 *host = bpf_map_lookup_elem(&config, &zero);
	return host && *host && bpf_get_netns_cookie(ctx) == *host;
}

static __always_inline int is_loopback(__u32 ip)
{
	return (bpf_ntohl(ip) >> 24) == 127;
}

static __always_inline int redirected_protocol(struct bpf_sock_addr *ctx)
{
	return ctx->protocol == IPPROTO_TCP || ctx->protocol == IPPROTO_UDP;
}

/** The container this host socket's destination ip:port is published to, if any (127/8 and local addresses only). */
static __always_inline struct backend *published(struct bpf_sock_addr *ctx)
{
	if (!ctx->sk || !in_host_netns(ctx))
		return 0;
	struct service_key key = { .ip = ctx->user_ip4, .port = (__u16)ctx->user_port, .proto = (__u8)ctx->protocol };
	struct backend *to = bpf_map_lookup_elem(&services, &key);
	if (to)
		return to;
	if (!is_loopback(key.ip) && !bpf_map_lookup_elem(&locals, &key.ip))
		return 0;
	key.ip = 0;
	return bpf_map_lookup_elem(&services, &key);
}

static __always_inline int rewrite(struct bpf_sock_addr *ctx, struct backend *to)
{
	ctx->user_ip4 = to->ip;
	ctx->user_port = to->port;
	return 1;
}

/** Datagrams from `to` are shown as coming from the address the client sent to. */
static __always_inline void remember_reply(struct bpf_sock_addr *ctx, struct backend *to)
{
	struct reply_key rk = { .cookie = bpf_get_socket_cookie(ctx), .from = *to };
	struct backend orig = { .ip = ctx->user_ip4, .port = (__u16)ctx->user_port };
	bpf_map_update_elem(&udp_replies, &rk, &orig, BPF_ANY);
}

SEC("cgroup/connect4")
int berth_connect4(struct bpf_sock_addr *ctx)
{
	struct backend *to = redirected_protocol(ctx) ? published(ctx) : 0;
	if (!to)
		return 1;
	struct dialled *d = bpf_sk_storage_get(&dialled, ctx->sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (d) {
		d->orig.ip = ctx->user_ip4;
		d->orig.port = (__u16)ctx->user_port;
		d->target = *to;
	}
	if (ctx->protocol == IPPROTO_UDP)
		remember_reply(ctx, to);
	// With DNAT a client of a host address kept that address as its source (only 127/8 was masqueraded to the
	// bridge's gateway, which is the source a direct connect picks): keep it. A socket already bound stays as it is.
	if (!is_loopback(ctx->user_ip4)) {
		struct sockaddr_in src = { .sin_family = AF_INET, .sin_addr.s_addr = ctx->user_ip4 };
		bpf_bind(ctx, (void *)&src, sizeof(src));
	}
	return rewrite(ctx, to);
}

SEC("cgroup/sendmsg4")
int berth_sendmsg4(struct bpf_sock_addr *ctx)
{
	struct backend *to = ctx->protocol == IPPROTO_UDP ? published(ctx) : 0;
	struct bpf_sock *sk = ctx->sk;
	if (!to || !sk)
		return 1;
	remember_reply(ctx, to);
	// The source DNAT would have kept, as in connect4: the host address sent to, unless the socket is bound to one.
	if (!is_loopback(ctx->user_ip4) && !sk->src_ip4 && !ctx->msg_src_ip4)
		ctx->msg_src_ip4 = ctx->user_ip4;
	return rewrite(ctx, to);
}

SEC("cgroup/recvmsg4")
int berth_recvmsg4(struct bpf_sock_addr *ctx)
{
	if (ctx->protocol != IPPROTO_UDP || !in_host_netns(ctx))
		return 1;
	struct reply_key rk = { .cookie = bpf_get_socket_cookie(ctx), .from = { .ip = ctx->user_ip4, .port = (__u16)ctx->user_port } };
	struct backend *orig = bpf_map_lookup_elem(&udp_replies, &rk);
	return orig ? rewrite(ctx, orig) : 1;
}

SEC("cgroup/getpeername4")
int berth_getpeername4(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	if (!redirected_protocol(ctx) || !sk || !in_host_netns(ctx))
		return 1;
	struct dialled *d = bpf_sk_storage_get(&dialled, sk, 0, 0);
	if (d && d->target.ip == ctx->user_ip4 && d->target.port == (__u16)ctx->user_port)
		return rewrite(ctx, &d->orig);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
