# Cross-replica freshness of the scale-out deployment: for each of 30 members, a copy of a post the member's feed from
# replica B ranks high is created through replica A (POST /v1/events), and B's feed is polled until it returns the copy.
# Prints the p50, p99 and max of event-accepted-to-in-B's-feed in milliseconds as one JSON line.
# usage: python3 cross_replica_freshness.py URL_A URL_B WORLD_DIR [FIRST_NEW_ID]
import json, time, urllib.request, statistics, sys
A, B, world = sys.argv[1], sys.argv[2], sys.argv[3]
first_id = int(sys.argv[4]) if len(sys.argv) > 4 else 990_000
posts = {}
for line in open(f"{world}/posts.jsonl"):
    p = json.loads(line); posts[p["id"]] = p
def get(url):
    with urllib.request.urlopen(url) as r: return json.loads(r.read())
times = []
members = [m["id"] for m in get(A + "/v1/members?limit=40")["members"]]
for n, member in enumerate(members[:30]):
    feed = get(f"{B}/v1/members/{member}/feed?limit=50")
    first = next(i["post_id"] for i in feed["items"] if i["post_id"] in posts)
    clock = feed["clock"]
    post = dict(posts[first]); post["id"] = first_id + n; post["time"] = clock + 60; post["day"] = post.get("day", 0)
    event = {"id": f"freshness-{first_id + n}", "kind": "post_created", "time": clock + 60, "day": post["day"], "post": post}
    request = urllib.request.Request(A + "/v1/events", data=(json.dumps(event) + "\n").encode(), headers={"Content-Type": "application/x-ndjson"}, method="POST")
    posts[post["id"]] = post
    start = time.perf_counter()
    with urllib.request.urlopen(request) as r: assert r.status == 202
    while True:
        items = get(f"{B}/v1/members/{member}/feed?limit=50")["items"]
        if any(i["post_id"] == post["id"] for i in items): break
        if time.perf_counter() - start > 30: print("never seen", member); break
    times.append((time.perf_counter() - start) * 1000)
times.sort()
print(json.dumps({"n": len(times), "p50_ms": statistics.median(times), "p99_ms": times[min(len(times) - 1, int(0.99 * len(times)))], "max_ms": times[-1]}))
