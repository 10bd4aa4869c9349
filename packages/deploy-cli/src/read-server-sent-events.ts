import type { IncomingMessage } from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { DeploymentEvent } from './deployment-event.js';

/** Options of readServerSentEvents. */
export interface ReadServerSentEventsOptions {
  /** Destroys the response when no bytes, heartbeats included, arrive for this long (ms). */
  idleTimeoutMs: number;
}

/**
 * Yields the events of an SSE response as they arrive, with `data` parsed as JSON. Comment lines,
 * such as `: ping` heartbeats, are skipped. The generator ends when the server ends the response
 * and throws when the connection breaks or stays idle for too long. Breaking out of the loop
 * destroys the response.
 */
export async function* readServerSentEvents(
  response: IncomingMessage,
  options: ReadServerSentEventsOptions,
): AsyncGenerator<DeploymentEvent> {
  const parsed: DeploymentEvent[] = [];
  const parser = createParser({
    onEvent: (message) => parsed.push(toDeploymentEvent(message)),
  });

  response.setEncoding('utf8');
  response.setTimeout(options.idleTimeoutMs, () => {
    response.destroy(new Error(`timed out: no data for ${options.idleTimeoutMs} ms`));
  });

  try {
    for await (const chunk of response) {
      parser.feed(chunk as string);
      while (parsed.length > 0) {
        yield parsed.shift() as DeploymentEvent;
      }
    }
  } finally {
    response.destroy();
  }
}

function toDeploymentEvent(message: EventSourceMessage): DeploymentEvent {
  let data: unknown = message.data;
  try {
    data = JSON.parse(message.data);
  } catch {
    // Plain-text data is passed on as a string.
  }
  return { id: message.id, event: message.event ?? 'message', data };
}
