# workerd configuration of the example: `pnpm start` (after `node --import tsx build.ts`).
# Node compatibility is on by default since compatibility date 2026-08-04: both flags turn it off,
# so the Worker runs on Web APIs only (the core's Web Crypto backend).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "orders", worker = .ordersWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "orders") ],
);

const ordersWorker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "dist/worker.js") ],
  compatibilityDate = "2026-11-01",
  compatibilityFlags = ["no_nodejs_compat", "no_nodejs_compat_v2"],
  bindings = [
    # The identity server's key set, configured out of band (never taken from a token).
    (name = "TRUST", json = embed "trust.json"),
    (name = "REPLAY", durableObjectNamespace = "WimseReplayShard"),
  ],
  durableObjectNamespaces = [ (className = "WimseReplayShard", uniqueKey = "wimse-pep-example-replay") ],
  durableObjectStorage = (inMemory = void),
);
