# full - the whole catalogue (bpagg-measures(7)): every indicator and sum
# measure by every breakdown at the national and fylke levels; at the kommune
# level every table whose breakdown [publish] kommune_breakdowns lists (by
# default total, brukergruppe and rop). This is what bpagg published before
# release profiles existed. See bpagg-publish(1), PROFILES.
nasjonal  *__*
fylke     *__*
kommune   *__*
