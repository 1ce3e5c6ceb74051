-- t1320: Lua 5.4 from Debian's source package, run as a uniscope image and
-- as a static Linux program built from the same sources with the same musl;
-- both print this script's output, which must match byte for byte. It
-- reads data/input.txt (the root file system), standard input and the
-- environment (GREETING), and exits with status 7. Nothing here may depend
-- on addresses or the time of day.
-- strings
local s = "Hello, uniscope"
print(#s, s:upper(), s:sub(1, 5), s:rep(2, "|"), s:find("uni"))
print(string.format("%5.2f|%-6s|%x|%q", math.pi, "ab", 255, "q\n"))
print(("a,b,,c"):gsub(",", ";"), ("key=val"):match("(%w+)=(%w+)"))
-- tables, sort with a comparator
local t = {}
for i = 1, 10 do t[#t + 1] = (i * 7) % 11 end
table.sort(t, function(a, b) return a > b end)
print(table.concat(t, " "), #t, select("#", table.unpack(t)))
local m = { x = 1, y = 2 }
m.z = m.x + m.y
local keys = {}
for k in pairs(m) do keys[#keys + 1] = k end
table.sort(keys)
print(table.concat(keys, ","), m.z)
-- closures
local function counter()
  local n = 0
  return function() n = n + 1; return n end
end
local c1, c2 = counter(), counter()
c1(); c1()
print("closures", c1(), c2())
-- coroutines
local gen = coroutine.wrap(function()
  for i = 1, 3 do coroutine.yield(i * i) end
  return "done"
end)
print("coroutine", gen(), gen(), gen(), gen())
local co = coroutine.create(function(a) local b = coroutine.yield(a + 1); return b * 2 end)
print(coroutine.resume(co, 1)); print(coroutine.resume(co, 10)); print(coroutine.status(co))
-- math
print(math.floor(-3.5), math.ceil(3.2), 7 // 2, 7 % 3, 2^10, math.sqrt(2), math.huge, -math.huge)
print(math.maxinteger, math.mininteger, math.tointeger(3.0), math.type(1), math.type(1.0))
print(string.format("%.6f %.6f %.3e", math.sin(1), math.log(10), 1/3))
-- os
local now = os.time()
print("time sane", now > 1600000000, type(os.clock()), os.clock() >= 0)
print("date", os.date("!%Y-%m-%d %H:%M:%S", 86400 * 365))
print("env", os.getenv("GREETING"), os.getenv("NOPE"))
-- io: a file from the root file system, then standard input
local total = 0
for line in io.lines("data/input.txt") do
  local name, n = line:match("(%a+) (%d+)")
  total = total + tonumber(n)
  io.write(name, ":", n, " ")
end
print("total", total)
local f = assert(io.open("data/input.txt"))
print("size", f:seek("end")); f:close()
print("missing", io.open("data/nope.txt"))
for line in io.stdin:lines() do print("stdin", line:reverse()) end
-- errors
print(pcall(error, "boom"))
local ok2, e2 = pcall(error, { code = 42 }); print(ok2, type(e2), e2.code)
local ok, err = pcall(function() local x = nil; return x.y end)
print(ok, (err:gsub("^.-:%d+: ", "")))
print(select(2, xpcall(function() error("deep", 0) end, function(e) return "handled " .. e end)))
print(utf8.char(72, 228, 8364), utf8.len("häx"), string.pack("<i4", 258):byte(1, -1))
os.exit(7)
