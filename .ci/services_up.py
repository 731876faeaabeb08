"""Exit 0 when the PostgreSQL and Redis URLs given answer, 1 (with the reason) otherwise."""

import sys

import psycopg2
import redis


def main(pg_url: str, redis_url: str) -> int:
    try:
        psycopg2.connect(pg_url, connect_timeout=5).close()
    except psycopg2.Error as exc:
        print(f"PostgreSQL at {pg_url}: {exc}", file=sys.stderr)
        return 1
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        print(f"Redis at {redis_url}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
