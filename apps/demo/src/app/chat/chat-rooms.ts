/** The rooms the demo links to; any room name of this shape works. */
export const ROOMS = ['lobby', 'design', 'random'] as const;

const ROOM_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** Member names are at most 64 characters (the protocol's limit). */
export const NAME_MAX = 64;

export function isRoomName(name: string): boolean {
  return ROOM_NAME.test(name);
}

/** The presence room key of a chat room. */
export const roomKey = (name: string) => `chat:${name}`;
