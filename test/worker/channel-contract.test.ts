import { runStoreContract } from "../store/contract.js";
import { openChannelStore } from "./channel.js";

// The boundary without a thread: host and RemoteStore over a MessageChannel, on the sources.
runStoreContract("memory via MessageChannel", async () => await openChannelStore("memory:"));
