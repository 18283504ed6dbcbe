/**
 * Socket.IO room names. A socket is in a page's channel while it entered or
 * watches the page, in a room's channel while it is a member.
 */
export const pageChannel = (page: string) => `p:${page}`;
export const roomChannel = (room: string) => `r:${room}`;
export const STATS_CHANNEL = 's:stats';
export const pollChannel = (poll: string) => `v:${poll}`;
