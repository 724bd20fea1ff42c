/**
 * The worker boundary without a worker (comlink's `same_window` tests): a host and a
 * {@link RemoteStore} joined by a MessageChannel in this thread, on the TypeScript sources.
 */
import { expose, wrap, type Endpoint } from "comlink";
import { MessageChannel } from "node:worker_threads";
import { createHostApi, type HostObject } from "../../worker/host-api.js";
import type { HostApi } from "../../worker/protocol.js";
import { RemoteStore } from "../../worker/remote-store.js";

/**
 * Opens `uri` behind a MessageChannel. `adapt` may replace host methods (to make one fail in a
 * way no real store does).
 */
export async function openChannelStore(uri = "memory:", adapt?: (host: HostObject) => HostObject): Promise<RemoteStore> {
  const { port1, port2 } = new MessageChannel();
  const host = createHostApi();
  expose(adapt ? adapt(host) : host, port1 as unknown as Endpoint);
  return RemoteStore.connect(wrap<HostApi>(port2 as unknown as Endpoint), uri, {
    dispose: () => {
      port1.close();
      port2.close();
    },
  });
}
