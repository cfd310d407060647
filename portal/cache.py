from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Keep one redis.Redis per connection pool instead of building one for every cache call.

    Django's client builds a new redis.Redis (and its table of ~150 response
    callbacks) on every get and set; profiling the portal showed that as
    about 0.25 ms a call. A redis.Redis is safe to share between threads.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


# One command, atomic on the server; a counter left without an expiry gets one.
INCR_WINDOW_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) == -1 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return count
"""


# A value, the id another key holds, and the value named by that id, in one
# command. The third key is built here from ARGV[1] and the id, outside KEYS:
# fine on one Redis server (Django's Redis cache does not shard).
GET_WITH_LINKED_SCRIPT = """
local linked_id = redis.call('GET', KEYS[2])
local linked = false
if linked_id then
    linked = redis.call('GET', ARGV[1] .. linked_id)
end
return {redis.call('GET', KEYS[1]), linked_id, linked}
"""


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    _incr_window_script = None
    _get_with_linked_script = None

    @cached_property
    def _keys_end_with_name(self):
        return self.make_key("name") == self.make_key("") + "name"

    def get_with_linked(self, key, link_key, linked_prefix):
        """Return the value at `key`, the id at `link_key`, and the value at `linked_prefix` + that id.

        One round trip where two would follow each other; what is missing is
        None. The last key is built on the server, which needs Django's default
        KEY_FUNCTION (a key ends with the name given); with any other, only the
        value at `key` is read and the rest is left to the caller.
        """
        if not self._keys_end_with_name:
            return self.get(key), None, None
        prefix = self.make_and_validate_key(linked_prefix)
        keys = [self.make_and_validate_key(key), self.make_and_validate_key(link_key)]
        client = self._cache.get_client(keys[0])
        if self._get_with_linked_script is None:
            self._get_with_linked_script = client.register_script(GET_WITH_LINKED_SCRIPT)
        value, linked_id, linked = self._get_with_linked_script(keys=keys, args=[prefix], client=client)
        # Django's serializer: integers are stored as they are, everything else pickled.
        loads = self._cache._serializer.loads
        return (
            None if value is None else loads(value),
            None if linked_id is None else loads(linked_id),
            None if linked is None else loads(linked),
        )

    def incr_window(self, key, timeout):
        """Add one to a counter that expires `timeout` seconds after its first increment, in one round trip."""
        key = self.make_and_validate_key(key)
        client = self._cache.get_client(key, write=True)
        if self._incr_window_script is None:
            self._incr_window_script = client.register_script(INCR_WINDOW_SCRIPT)
        return self._incr_window_script(keys=[key], args=[timeout], client=client)


def count_in_window(cache, key, timeout):
    """Add one to a shared counter that lives `timeout` seconds, and return it.

    One round trip with the portal's Redis cache; with any other cache the
    portable add-then-increment, which is also safe across app servers.
    """
    # `cache` may be Django's proxy for the default cache, so ask for the method rather than the class.
    if incr_window := getattr(cache, "incr_window", None):
        return incr_window(key, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # The first count of this window.
        cache.add(key, 0, timeout=timeout)
        return cache.incr(key)
