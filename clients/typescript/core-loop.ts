// The core loop as a mobile developer writes it against the generated types, sending only
// the fields a person would: register, adopt a habit, check in, read today, make a team and
// read its board. Run: node out/core-loop.js http://127.0.0.1:8000
import createClient from "openapi-fetch";
import type { paths } from "./api.js";

const baseUrl = process.argv[2] ?? "http://127.0.0.1:8000";
const api = createClient<paths>({ baseUrl });

function must<T>(data: T | undefined, error: unknown, what: string): T {
  if (data === undefined) {
    throw new Error(`${what} failed: ${JSON.stringify(error)}`);
  }
  return data;
}

const handle = `ts${Date.now() % 1_000_000_000}`;
const signedUp = await api.POST("/api/v1/auth/register", {
  body: { handle, password: "a long enough password" },
});
const auth = must(signedUp.data, signedUp.error, "register");
const headers = { Authorization: `Bearer ${auth.token}` };

const adopted = await api.POST("/api/v1/habits", {
  headers,
  body: { template: "deliver-on-a-promise" },
});
const habit = must(adopted.data, adopted.error, "adopt");

const checked = await api.POST("/api/v1/habits/{habit_id}/checkins", {
  headers,
  params: { path: { habit_id: habit.id } },
  body: {},
});
const result = must(checked.data, checked.error, "check in");

const read = await api.GET("/api/v1/today", { headers });
const today = must(read.data, read.error, "today");

const made = await api.POST("/api/v1/teams", { headers, body: { name: "TypeScript crew" } });
const team = must(made.data, made.error, "team");
const board = await api.GET("/api/v1/teams/{team_id}/leaderboard", {
  headers,
  params: { path: { team_id: team.id } },
});
const standings = must(board.data, board.error, "board");

console.log(
  JSON.stringify({
    handle: auth.user.handle,
    points_awarded: result.points_awarded,
    streak: result.streak.current,
    done_today: today.habits.filter((h) => h.done).length,
    board: standings.entries.map((e) => [e.rank, e.user.handle, e.points]),
    my_rank: standings.me?.rank ?? null,
  }),
);
