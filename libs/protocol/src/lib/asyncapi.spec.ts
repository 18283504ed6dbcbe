import { Parser } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes } from './errors';
import { CLIENT_EVENTS, Events } from './events';
import { ACTIVITY_STATES, KEY_MAX_LENGTH, NAME_MAX_LENGTH, PAGE_EVERY_VALUES, PROTOCOL_VERSION, RECENT_MAX, STATS_EVERY_VALUES, STATUS_MAX_LENGTH, WATCH_BATCH_MAX } from './limits';

/** The socket protocol as AsyncAPI 3 (the document users read), checked against the protocol's own names and limits so that neither drifts. */
const DOCUMENT = join(__dirname, '../../../../docs/asyncapi.yaml');

/** Events that go both ways: `room:typing` is a client's own typing and the room's members starting and stopping. */
const BOTH_WAYS: readonly string[] = [Events.RoomTyping];

type Json = Record<string, any>;

describe('docs/asyncapi.yaml', () => {
  let document: NonNullable<Awaited<ReturnType<Parser['parse']>>['document']>;
  let schemas: Json;
  let messages: Json;

  beforeAll(async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(readFileSync(DOCUMENT, 'utf8'));
    // Errors and warnings (severity 0 and 1) of the AsyncAPI parser's validation: none.
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    if (!parsed) throw new Error('docs/asyncapi.yaml does not parse');
    document = parsed;
    const json = document.json() as Json;
    schemas = json.components.schemas;
    messages = json.components.messages;
  }, 60_000);

  const names = (action: 'send' | 'receive') =>
    document
      .operations()
      .all()
      .filter((operation) => operation.action() === action)
      .flatMap((operation) => operation.messages().all().map((message) => message.name()))
      .sort();

  it('is AsyncAPI 3 for this protocol version', () => {
    expect(document.version()).toMatch(/^3\./);
    expect(document.info().version()).toBe(PROTOCOL_VERSION);
    expect(
      document
        .channels()
        .all()
        .map((channel) => channel.address()),
    ).toEqual(['/presence']);
  });

  it('receives every event a client may send, each answered by an ack', () => {
    expect(names('receive')).toEqual([...CLIENT_EVENTS].sort());
    for (const operation of document.operations().all().filter((o) => o.action() === 'receive')) {
      expect([operation.id(), operation.reply()?.messages().all().map((m) => m.name())]).toEqual([operation.id(), ['ack']]);
    }
  });

  it('sends every event the server pushes, and nothing else', () => {
    const pushed = Object.values(Events).filter((name) => !(CLIENT_EVENTS as readonly string[]).includes(name) || BOTH_WAYS.includes(name));
    expect(names('send')).toEqual([...pushed].sort());
  });

  it("states the protocol's error codes, states and limits as they are", () => {
    expect(schemas.AckError.properties.error.properties.code.enum).toEqual(Object.values(ErrorCodes));
    expect(schemas.ActivityState.enum).toEqual([...ACTIVITY_STATES]);
    expect(messages.pageWatch.payload.properties.every.enum).toEqual([...PAGE_EVERY_VALUES]);
    expect(messages.statsWatch.payload.properties.every.enum).toEqual([...STATS_EVERY_VALUES]);
    expect(schemas.Key.maxLength).toBe(KEY_MAX_LENGTH);
    expect(schemas.PageKeys.maxItems).toBe(WATCH_BATCH_MAX);
    expect(schemas.ProfileInput.properties.name.maxLength).toBe(NAME_MAX_LENGTH);
    expect(schemas.ProfileInput.properties.status.maxLength).toBe(STATUS_MAX_LENGTH);
    expect(messages.roomRecentAck.payload.oneOf[0].allOf[1].properties.recent.maxItems).toBe(RECENT_MAX);
  });
});
