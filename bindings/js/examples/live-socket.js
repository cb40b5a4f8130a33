// live-socket.js: one socket as a store that React (useSyncExternalStore), Vue or Svelte binds to.
import { connect } from 'wsguard';

export function liveSocket(url, { token, onMessage } = {}) {
  let snapshot = { state: 'connecting', error: null };
  const listeners = new Set();
  const set = (patch) => { snapshot = { ...snapshot, ...patch }; listeners.forEach((l) => l()); };
  const ready = connect(url, {
    token: { placement: 'query', name: 'token', value: token ?? null },
    heartbeat: { intervalMs: 25_000 },
    onState: (e) => set({ state: e.state, error: e.error ?? null }),
  }).catch((error) => {
    // The server's reason, not 1006: e.g. "origin_host: the Origin's host is not in the allowed origins — add …"
    console.error(`${error.code}: ${error.reason} — ${error.remedy}`);
    set({ error });
    return error.socket ?? null; // after 401: reauthenticate(newToken) below
  }).then((socket) => {
    socket?.addEventListener('message', (e) => onMessage?.(e.data));
    return socket;
  });
  return {
    subscribe: (l) => { listeners.add(l); return () => listeners.delete(l); },
    getSnapshot: () => snapshot,
    send: async (data) => (await ready)?.send(data),
    reauthenticate: async (newToken) => (await ready)?.reauthenticate(newToken),
    close: async () => (await ready)?.close(),
  };
}

// In a React component:
//   const chat = useMemo(() => liveSocket('/ws', { token, onMessage: addLine }), [token]);
//   const { state, error } = useSyncExternalStore(chat.subscribe, chat.getSnapshot);
//   useEffect(() => () => { chat.close(); }, [chat]);
//   if (error) return <p role="alert">{error.code}: {error.reason} — {error.remedy}</p>;
