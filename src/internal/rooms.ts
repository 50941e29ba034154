// Plain objects with room in themselves for all their fields (issue 19, the heap per user).
//
// V8 gives an object literal exactly the in-object slots of its literal's fields: a field
// added afterwards, such as the freezing stamp (internal/frozen.ts), goes to a separate
// property store of its own (a PropertyArray, about 60 bytes). A heap snapshot of the
// memory store showed eight of them per stored user (the user, its attachment, the
// request, two history entries, their details, a scope, the settings), 464 bytes a user.
//
// An object made by `new` of a constructor gets the slots its constructor's body assigns
// (V8 counts the `this.x =` of the body, executed or not), then keeps, once V8 has seen a
// few, as many as its objects used. Each constructor below is used for objects of one
// size only (its number of fields, the stamp included), so each ends with exactly the
// slots its objects need. Their prototype is `Object.prototype`: what they make is plain
// data, as an object literal is (JSON, prototype, keys: the same).

type Fields = Record<string, unknown>;

function R1(this: Fields, no: boolean) { if (no) { this.f1 = 0; } }
function R2(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; } }
function R3(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; } }
function R4(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; } }
function R5(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; } }
function R6(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; } }
function R7(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; this.f7 = 0; } }
function R8(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; this.f7 = 0; this.f8 = 0; } }
function R9(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; this.f7 = 0; this.f8 = 0; this.f9 = 0; } }
function R10(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; this.f7 = 0; this.f8 = 0; this.f9 = 0; this.f10 = 0; } }
function R11(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; this.f7 = 0; this.f8 = 0; this.f9 = 0; this.f10 = 0; this.f11 = 0; } }
function R12(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; this.f7 = 0; this.f8 = 0; this.f9 = 0; this.f10 = 0; this.f11 = 0; this.f12 = 0; } }
function R13(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; this.f7 = 0; this.f8 = 0; this.f9 = 0; this.f10 = 0; this.f11 = 0; this.f12 = 0; this.f13 = 0; } }
function R14(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; this.f7 = 0; this.f8 = 0; this.f9 = 0; this.f10 = 0; this.f11 = 0; this.f12 = 0; this.f13 = 0; this.f14 = 0; } }
function R15(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; this.f7 = 0; this.f8 = 0; this.f9 = 0; this.f10 = 0; this.f11 = 0; this.f12 = 0; this.f13 = 0; this.f14 = 0; this.f15 = 0; } }
function R16(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; this.f7 = 0; this.f8 = 0; this.f9 = 0; this.f10 = 0; this.f11 = 0; this.f12 = 0; this.f13 = 0; this.f14 = 0; this.f15 = 0; this.f16 = 0; } }
function R17(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; this.f7 = 0; this.f8 = 0; this.f9 = 0; this.f10 = 0; this.f11 = 0; this.f12 = 0; this.f13 = 0; this.f14 = 0; this.f15 = 0; this.f16 = 0; this.f17 = 0; } }
function R18(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; this.f7 = 0; this.f8 = 0; this.f9 = 0; this.f10 = 0; this.f11 = 0; this.f12 = 0; this.f13 = 0; this.f14 = 0; this.f15 = 0; this.f16 = 0; this.f17 = 0; this.f18 = 0; } }
function R19(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; this.f7 = 0; this.f8 = 0; this.f9 = 0; this.f10 = 0; this.f11 = 0; this.f12 = 0; this.f13 = 0; this.f14 = 0; this.f15 = 0; this.f16 = 0; this.f17 = 0; this.f18 = 0; this.f19 = 0; } }
function R20(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; this.f7 = 0; this.f8 = 0; this.f9 = 0; this.f10 = 0; this.f11 = 0; this.f12 = 0; this.f13 = 0; this.f14 = 0; this.f15 = 0; this.f16 = 0; this.f17 = 0; this.f18 = 0; this.f19 = 0; this.f20 = 0; } }
function R21(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; this.f7 = 0; this.f8 = 0; this.f9 = 0; this.f10 = 0; this.f11 = 0; this.f12 = 0; this.f13 = 0; this.f14 = 0; this.f15 = 0; this.f16 = 0; this.f17 = 0; this.f18 = 0; this.f19 = 0; this.f20 = 0; this.f21 = 0; } }
function R22(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; this.f7 = 0; this.f8 = 0; this.f9 = 0; this.f10 = 0; this.f11 = 0; this.f12 = 0; this.f13 = 0; this.f14 = 0; this.f15 = 0; this.f16 = 0; this.f17 = 0; this.f18 = 0; this.f19 = 0; this.f20 = 0; this.f21 = 0; this.f22 = 0; } }
function R23(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; this.f7 = 0; this.f8 = 0; this.f9 = 0; this.f10 = 0; this.f11 = 0; this.f12 = 0; this.f13 = 0; this.f14 = 0; this.f15 = 0; this.f16 = 0; this.f17 = 0; this.f18 = 0; this.f19 = 0; this.f20 = 0; this.f21 = 0; this.f22 = 0; this.f23 = 0; } }
function R24(this: Fields, no: boolean) { if (no) { this.f1 = 0; this.f2 = 0; this.f3 = 0; this.f4 = 0; this.f5 = 0; this.f6 = 0; this.f7 = 0; this.f8 = 0; this.f9 = 0; this.f10 = 0; this.f11 = 0; this.f12 = 0; this.f13 = 0; this.f14 = 0; this.f15 = 0; this.f16 = 0; this.f17 = 0; this.f18 = 0; this.f19 = 0; this.f20 = 0; this.f21 = 0; this.f22 = 0; this.f23 = 0; this.f24 = 0; } }

/** The constructors by size; each makes plain objects (prototype `Object.prototype`). */
const ROOMS: readonly (new (no: boolean) => Fields)[] = plain([R1, R2, R3, R4, R5, R6, R7, R8, R9, R10, R11, R12, R13, R14, R15, R16, R17, R18, R19, R20, R21, R22, R23, R24]);

function plain(rooms: ((this: Fields, no: boolean) => void)[]): (new (no: boolean) => Fields)[] {
  for (const room of rooms) room.prototype = Object.prototype;
  return rooms as unknown as (new (no: boolean) => Fields)[];
}

/**
 * A new, empty plain object with room in itself for `n` fields, to be given exactly `n`
 * fields (beyond 24, an object literal).
 *
 * @example
 * ```ts
 * const copy = roomFor(3); // then copy.kind = …, copy.serviceIds = …, and a stamp
 * Object.getPrototypeOf(copy) === Object.prototype; // true
 * ```
 */
export function roomFor(n: number): Fields {
  const Room = ROOMS[n - 1];
  return Room === undefined ? {} : new Room(false);
}
