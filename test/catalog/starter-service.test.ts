import { testCatalogTemplate } from "./template";

testCatalogTemplate("starter-service");
